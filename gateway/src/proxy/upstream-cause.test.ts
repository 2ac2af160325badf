import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { upstreamCause, UPSTREAM_CAUSES } from './upstream-cause.js';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { freePort } from '../testing/redis-server.js';
import { makeTestCertificates } from '../testing/tls-certificates.js';

test('undici and Node error codes map to one cause class each, found through the cause chain', () => {
  const cases: [unknown, string][] = [
    [{ code: 'ECONNREFUSED' }, 'connection_refused'],
    [{ code: 'ENOTFOUND' }, 'dns_failure'],
    [{ code: 'EAI_AGAIN' }, 'dns_failure'],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'connect_timeout'],
    [{ code: 'ETIMEDOUT' }, 'connect_timeout'],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'timeout'],
    [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'timeout'],
    [{ code: 'ECONNRESET' }, 'reset'],
    [{ code: 'UND_ERR_SOCKET' }, 'reset'],
    [{ code: 'EPIPE' }, 'reset'],
    [{ code: 'EHOSTUNREACH' }, 'unreachable'],
    [{ code: 'ENETUNREACH' }, 'unreachable'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls_error'],
    [{ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'tls_error'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls_error'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'tls_error'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'tls_error'],
    [{ code: 'EPROTO' }, 'tls_error'],
    [{ code: 'HPE_INVALID_CONSTANT' }, 'protocol_error'],
    [{ code: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' }, 'protocol_error'],
    [{ code: 'SOMETHING_NEW' }, 'other'],
    [new Error('no code at all'), 'other'],
    [undefined, 'other'],
    ['ECONNREFUSED', 'other'],
    [Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'connection_refused'],
  ];
  for (const [error, expected] of cases) assert.equal(upstreamCause(error), expected, JSON.stringify(error));
  for (const [, expected] of cases) assert.ok((UPSTREAM_CAUSES as readonly string[]).includes(expected));
});

let gateway: TestGateway;
let plain: TestUpstream;
let slow: TestUpstream;
let selfSigned: HttpsServer;
let resetting: TcpServer;

before(async () => {
  const certificates = makeTestCertificates();
  // Signed by a CA the gateway does not trust: the handshake fails on verification.
  selfSigned = createHttpsServer(
    { cert: readFileSync(certificates.serverCertFile), key: readFileSync(certificates.serverKeyFile) },
    (_req, res) => res.end('never'),
  );
  selfSigned.listen(0, '127.0.0.1');
  await once(selfSigned, 'listening');
  // Accepts, reads the request, then closes the connection without a byte of answer.
  resetting = createTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  resetting.listen(0, '127.0.0.1');
  await once(resetting, 'listening');
  plain = await startUpstream();
  slow = await startUpstream((req, res) => {
    req.resume();
    const timer = setTimeout(() => res.end('late'), 5_000);
    res.on('close', () => clearTimeout(timer));
  });
  const closedPort = await freePort();
  const port = (server: { address(): AddressInfo | string | null }) => (server.address() as AddressInfo).port;
  gateway = await startTestGateway({
    services: [
      { name: 'closed', url: `http://127.0.0.1:${closedPort}`, retries: 0 },
      { name: 'nowhere', url: 'http://no-such-host.invalid', retries: 0 },
      { name: 'untrusted', url: `https://127.0.0.1:${port(selfSigned)}`, retries: 0 },
      { name: 'tls-to-plain', url: `https://127.0.0.1:${new URL(plain.url).port}`, retries: 0 },
      { name: 'slow', url: slow.url, timeoutMs: 300, retries: 0 },
      { name: 'resetting', url: `http://127.0.0.1:${port(resetting)}`, retries: 0 },
    ],
    routes: ['closed', 'nowhere', 'untrusted', 'tls-to-plain', 'slow', 'resetting'].map((name) => ({
      name: `r-${name}`,
      service: name,
      paths: [`/${name}`],
    })),
  });
});

after(async () => {
  await gateway.close();
  selfSigned.close();
  resetting.close();
  await Promise.all([plain.close(), slow.close()]);
});

interface ErrorBody {
  error: { code: string; cause?: string; message: string; requestId: string };
}

async function failure(path: string): Promise<{ status: number; body: ErrorBody; requestId: string }> {
  const requestId = `cause-${path.slice(1)}-${Date.now()}`;
  const response = await fetch(`${gateway.url}${path}`, { headers: { 'x-request-id': requestId } });
  return { status: response.status, body: (await response.json()) as ErrorBody, requestId };
}

/** The gateway's warn line about this request's upstream failure. */
function failureLine(requestId: string): Record<string, unknown> {
  const line = gateway.logLines().find((entry) => entry.includes(requestId) && entry.includes('upstream request failed'));
  assert.ok(line !== undefined, `no upstream failure line for ${requestId}`);
  return JSON.parse(line) as Record<string, unknown>;
}

async function counted(route: string, cause: string): Promise<number> {
  const metric = await gateway.metrics.registry.getSingleMetric('novagate_upstream_errors_total')?.get();
  return metric?.values.find((value) => value.labels.route === route && value.labels.cause === cause)?.value ?? 0;
}

const cases: [string, number, string, string][] = [
  ['/closed', 502, 'upstream_unavailable', 'connection_refused'],
  ['/nowhere', 502, 'upstream_unavailable', 'dns_failure'],
  ['/untrusted', 502, 'upstream_unavailable', 'tls_error'],
  ['/tls-to-plain', 502, 'upstream_unavailable', 'tls_error'],
  ['/slow', 504, 'upstream_timeout', 'timeout'],
  ['/resetting', 502, 'upstream_unavailable', 'reset'],
];

for (const [path, status, code, cause] of cases) {
  test(`an upstream failing with ${cause} (${path}) answers ${status} naming the cause, logs the service by name and counts it`, { timeout: 30_000 }, async () => {
    const route = `r-${path.slice(1)}`;
    const before = await counted(route, cause);
    const reply = await failure(path);
    assert.equal(reply.status, status);
    assert.equal(reply.body.error.code, code);
    assert.equal(reply.body.error.cause, cause);
    assert.equal(reply.body.error.requestId, reply.requestId);
    const line = failureLine(reply.requestId);
    assert.equal(line.cause, cause);
    assert.equal(line.service, path.slice(1));
    assert.equal(line.route, route);
    // Never an address, a port or a host name of the upstream in the line or the body.
    for (const text of [JSON.stringify(line), JSON.stringify(reply.body)]) {
      assert.doesNotMatch(text, /127\.0\.0\.1|no-such-host|https?:\/\/|\/slow|\/closed/);
    }
    assert.equal(await counted(route, cause), before + 1);
    // The access-log line says it too (it is what the telemetry shipper turns into an error event).
    const access = gateway.logLines().map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.msg === 'request' && entry.requestId === reply.requestId);
    assert.equal(access?.upstreamCause, cause);
    assert.equal(access?.status, status);
  });
}
