import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { describeConnectionFailure, type ConnectionFailureCause } from './connection-failure.js';
import { startControlPlaneClient } from './control-plane-client.js';
import { createConfigStore } from '../pipeline/config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';
import { createLogger } from '../telemetry/logger.js';
import { makeTestCertificates, type TestCertificates } from '../testing/tls-certificates.js';
import { freePort } from '../testing/redis-server.js';

test('each connection error code, with the URL scheme, maps to a likely cause and a hint naming what to check', () => {
  const cases: [string | undefined, string, boolean, boolean, ConnectionFailureCause, RegExp][] = [
    ['ECONNRESET', 'socket hang up', false, false, 'plain_to_tls_port', /wss:\/\//],
    ['ECONNRESET', 'socket hang up', true, false, 'reset', /proxy/],
    ['EPROTO', 'write EPROTO …:wrong version number', true, false, 'tls_to_plain_port', /plain text/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', '', true, false, 'tls_to_plain_port', /plain text/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', '', true, false, 'unknown_ca', /set CONTROL_PLANE_CA_FILE/],
    ['SELF_SIGNED_CERT_IN_CHAIN', '', true, false, 'unknown_ca', /set CONTROL_PLANE_CA_FILE/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', '', true, true, 'unknown_ca', /not signed by the CA in CONTROL_PLANE_CA_FILE/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', '', true, true, 'certificate_name_mismatch', /CONTROL_PLANE_URL/],
    ['CERT_HAS_EXPIRED', '', true, true, 'certificate_expired', /expired/],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', '', true, false, 'tls_error', /ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE/],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND cp.invalid', true, false, 'dns_failure', /does not resolve/],
    ['EAI_AGAIN', '', true, false, 'dns_failure', /does not resolve/],
    ['ECONNREFUSED', '', true, false, 'connection_refused', /nothing listens/],
    ['EHOSTUNREACH', '', true, false, 'unreachable', /no route/],
    ['ETIMEDOUT', '', true, false, 'timeout', /in time/],
    [undefined, 'Opening handshake has timed out', true, false, 'timeout', /upgrade in time/],
    [undefined, 'something new', true, false, 'other', /unexpected/],
  ];
  for (const [code, message, secure, caConfigured, cause, hint] of cases) {
    const failure = describeConnectionFailure({ code, message, secure, caConfigured });
    assert.equal(failure.cause, cause, `${code} ${message}`);
    assert.match(failure.hint, hint, `${code} ${message}`);
  }
});

let certificates: TestCertificates;
let tlsServer: HttpsServer;
let plainServer: TcpServer;
let tlsPort: number;
let plainPort: number;

before(async () => {
  certificates = makeTestCertificates();
  tlsServer = createHttpsServer({ cert: readFileSync(certificates.serverCertFile), key: readFileSync(certificates.serverKeyFile) });
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  // A plain-text server that answers anything with an HTTP error: a TLS ClientHello gets text back.
  plainServer = createTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n')));
  plainServer.listen(0, '127.0.0.1');
  await once(plainServer, 'listening');
  tlsPort = (tlsServer.address() as AddressInfo).port;
  plainPort = (plainServer.address() as AddressInfo).port;
});
after(() => {
  tlsServer.close();
  plainServer.close();
});

/** Starts a control-plane client against `url` and returns its first connection-error log line. */
async function firstConnectionError(url: string, ca?: string): Promise<Record<string, unknown>> {
  let found!: (line: Record<string, unknown>) => void;
  const line = new Promise<Record<string, unknown>>((resolve) => (found = resolve));
  const logger = createLogger({
    level: 'debug',
    flushIntervalMs: 0,
    output: {
      write(chunk: string) {
        for (const text of chunk.split('\n').filter((l) => l !== '')) {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          if (parsed.msg === 'control plane connection error') found(parsed);
        }
        return true;
      },
      once: () => undefined,
    },
  });
  const client = startControlPlaneClient({
    url,
    apiKey: 'gw_test',
    ...(ca === undefined ? {} : { ca }),
    nodeId: 'node-cause',
    softwareVersion: 'test',
    maxConfigBytes: 1024 * 1024,
    store: createConfigStore({
      tenant: 'default',
      jwtSecret: undefined,
      rateLimitBackend: createMemoryBackend(),
      failureMode: 'open',
      now: Date.now,
      onRateLimitBackendError: () => undefined,
      onRateLimited: () => undefined,
    }),
    logger,
    onConnectedChange: () => undefined,
    backoff: { baseMs: 60_000, capMs: 60_000 },
  });
  try {
    return await line;
  } finally {
    await client.close();
  }
}

test('ws:// to a TLS port: the log line says to use wss://', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError(`ws://127.0.0.1:${tlsPort}`);
  assert.equal(line.cause, 'plain_to_tls_port');
  assert.match(String(line.hint), /wss:\/\//);
});

test('wss:// to a plain-text port: the log line says the port answered in plain text', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError(`wss://127.0.0.1:${plainPort}`);
  assert.equal(line.cause, 'tls_to_plain_port');
  assert.match(String(line.hint), /plain text/);
});

test('a certificate from an unknown CA: the log line says to set CONTROL_PLANE_CA_FILE', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError(`wss://127.0.0.1:${tlsPort}`);
  assert.equal(line.cause, 'unknown_ca');
  assert.match(String(line.hint), /set CONTROL_PLANE_CA_FILE/);
});

test('CONTROL_PLANE_CA_FILE holding the wrong CA: the log line says it is not the CA that signed the certificate', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError(`wss://127.0.0.1:${tlsPort}`, readFileSync(certificates.otherCaFile, 'utf8'));
  assert.equal(line.cause, 'unknown_ca');
  assert.match(String(line.hint), /not signed by the CA in CONTROL_PLANE_CA_FILE/);
});

test('a control-plane host that does not resolve: the log line says DNS', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError('wss://no-such-control-plane.invalid');
  assert.equal(line.cause, 'dns_failure');
});

test('a closed port: the log line says nothing listens there', { timeout: 30_000 }, async () => {
  const line = await firstConnectionError(`wss://127.0.0.1:${await freePort()}`);
  assert.equal(line.cause, 'connection_refused');
  assert.match(String(line.hint), /nothing listens/);
});
