// HAProxy for bench:gateway: one process with one thread in the foreground, TLS 1.3 with ALPN h2 and
// http/1.1, connection reuse towards the upstream, and its HTTP log on stdout (a file) as NovaGate logs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, startExternalProxy, type ExternalProxy, type Skipped } from './external-proxy.js';
import type { TlsFiles } from './nginx.js';

export function haproxyConfig(port: number, upstreamPort: number, pemFile: string): string {
  return `global
  nbthread 1
  maxconn 4096
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 65s
  timeout server 65s
  timeout http-keep-alive 65s
frontend bench
  bind 127.0.0.1:${port} ssl crt ${pemFile} alpn h2,http/1.1 ssl-min-ver TLSv1.3
  default_backend upstream
backend upstream
  server upstream 127.0.0.1:${upstreamPort}
`;
}

export async function startHaproxy(upstreamPort: number, tls: TlsFiles): Promise<ExternalProxy | Skipped> {
  const binary = findBinary('haproxy', '/usr/sbin/haproxy');
  if (binary === undefined) return { skipped: 'not installed (apt-get install -y haproxy)' };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'novagate-bench-haproxy-'));
  // HAProxy takes the certificate chain and its key in one file.
  const pemFile = join(dir, 'bench.pem');
  writeFileSync(pemFile, readFileSync(tls.certFile, 'utf8') + readFileSync(tls.keyFile, 'utf8'), { mode: 0o600 });
  writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(port, upstreamPort, pemFile));
  return startExternalProxy(binary, ['-db', '-f', join(dir, 'haproxy.cfg')], port, dir);
}
