// What a TLS contender of bench:gateway really negotiates with a client offering h2 and http/1.1 (TLS version
// and ALPN protocol), so that the table never compares a TLS 1.2 or HTTP/1.1-only setup by mistake.
import { connect } from 'node:tls';

export function probeTls(port: number, alpn: string[]): Promise<{ protocol: string; alpn: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ALPNProtocols: alpn, rejectUnauthorized: false });
    socket.setTimeout(5_000, () => socket.destroy(new Error('timed out')));
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol() ?? 'unknown', alpn: socket.alpnProtocol === false ? 'none' : (socket.alpnProtocol ?? 'none') });
      socket.destroy();
    });
    socket.once('error', (error) => resolve({ protocol: `error: ${error.message}`, alpn: 'none' }));
  });
}
