// A private redis-server for tests that kill Redis mid-flight or need TLS (the shared one on 6379 is never
// touched), on a free port, with no persistence.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TestCertificates } from './tls-certificates.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether the server on `socket` answers PING, written once `ready` fires, with PONG within 500 ms. */
function answersPingOn(socket: Socket, ready: 'connect' | 'secureConnect'): Promise<boolean> {
  return new Promise((resolve) => {
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
    socket.on(ready, () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return answersPingOn(connect(port, '127.0.0.1'), 'connect');
}

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts again on the same port. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that keeps its connections open but stops answering. */
  freeze(): void;
  thaw(): void;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child === undefined || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    restart: start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}

export interface OwnTlsRedis {
  port: number;
  /** rediss://127.0.0.1:<port>: the name its certificate is for. */
  url: string;
  stop(): Promise<void>;
}

/** Answers PING over TLS, trusting `ca`; false while the server is not up yet. */
function answersTlsPing(port: number, ca: string, certificates: TestCertificates): Promise<boolean> {
  const socket = connectTls({
    host: '127.0.0.1',
    port,
    ca,
    cert: readFileSync(certificates.clientCertFile),
    key: readFileSync(certificates.clientKeyFile),
  });
  return answersPingOn(socket, 'secureConnect');
}

/**
 * A redis-server that speaks only TLS (`--port 0`), with the server certificate of `certificates`; with
 * `requireClientCertificates` it refuses clients without a certificate its CA signed. Resolves to a reason
 * string when this redis-server was built without TLS (TEST_REDIS_SERVER names another binary).
 */
export async function startOwnTlsRedis(certificates: TestCertificates, requireClientCertificates = false): Promise<OwnTlsRedis | string> {
  const port = await freePort();
  const binary = process.env.TEST_REDIS_SERVER ?? 'redis-server';
  const child = spawn(
    binary,
    [
      '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '-::1',
      '--tls-cert-file', certificates.serverCertFile, '--tls-key-file', certificates.serverKeyFile,
      '--tls-ca-cert-file', certificates.caFile, '--tls-auth-clients', requireClientCertificates ? 'yes' : 'no',
      '--save', '', '--appendonly', 'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ca = readFileSync(certificates.caFile, 'utf8');
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    if (await answersTlsPing(port, ca, certificates)) {
      return {
        port,
        url: `rediss://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  if (/tls|ssl/i.test(output) && /not (supported|compiled)|bad directive|unknown/i.test(output)) {
    return `${binary} has no TLS support (${output.trim().split('\n').pop() ?? ''}); .ci/run installs Debian's, which has`;
  }
  throw new Error(`the TLS redis-server did not start on port ${port}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
}
