// Request targets that are not origin-form, sent over raw sockets (no HTTP client sends them): each is refused
// with 400 bad_path before routing, so a catch-all route never forwards `/secure#x` to an upstream that
// serves it as `/secure`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { rawExchange } from '../testing/raw-http.js';
import { sha256Hex } from '../policies/key-auth/key-auth-policy.js';

let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    services: [{ name: 'app', url: upstream.url }],
    routes: [
      { name: 'secure', service: 'app', paths: ['/secure', '/secure/*'], auth: 'key-auth' },
      { name: 'catch-all', service: 'app', paths: ['/*'] },
    ],
    consumers: [{ username: 'ops', apiKeyHashes: [sha256Hex('ops-key-0123456789')] }],
  });
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

const request = (method: string, target: string | Buffer, extra = '') =>
  Buffer.concat([Buffer.from(`${method} `), Buffer.from(target), Buffer.from(` HTTP/1.1\r\nHost: gw.test\r\n${extra}\r\n`)]);

interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

test('targets that are not origin-form get 400 bad_path with a request id and never reach the upstream', { timeout: 60_000 }, async () => {
  const targets: [string, string | Buffer][] = [
    ['fragment', '/secure#x'],
    ['fragment after a query', '/open?a=1#/secure'],
    ['bare fragment', '/secure#'],
    ['absolute-form', 'http://gw.test/secure'],
    ['absolute-form to another host', 'http://evil.test/secure#x'],
    ['asterisk-form with GET', '*'],
    ['control character', Buffer.from('/secure\x01x', 'latin1')],
    ['DEL', Buffer.from('/secure\x7f', 'latin1')],
    ['non-ASCII byte', Buffer.from('/secure\xc3\xa9', 'latin1')],
  ];
  upstream.received.length = 0;
  for (const [name, target] of targets) {
    const exchange = await rawExchange(gateway.port, request('GET', target), 1);
    const response = exchange.responses[0];
    assert.equal(response?.status, 400, name);
    const body = JSON.parse(response?.body ?? '{}') as ErrorBody;
    assert.equal(body.error.code, 'bad_path', name);
    assert.match(body.error.requestId, /^[0-9a-f-]{36}$/, name);
    assert.equal(response?.headers['x-request-id'], body.error.requestId, name);
  }
  assert.equal(upstream.received.length, 0, 'nothing reached the upstream');
});

test('the request id a client sent comes back with bad_path, and the refusal is logged as unmatched', { timeout: 60_000 }, async () => {
  const exchange = await rawExchange(gateway.port, request('GET', '/secure#x', 'X-Request-ID: frag-1\r\n'), 1);
  assert.equal((JSON.parse(exchange.responses[0]?.body ?? '{}') as ErrorBody).error.requestId, 'frag-1');
  const line = gateway.logLines().find((entry) => entry.includes('"frag-1"'));
  assert.ok(line !== undefined);
  assert.equal((JSON.parse(line) as { status: number; route: string }).status, 400);
  assert.equal((JSON.parse(line) as { status: number; route: string }).route, 'unmatched');
  assert.ok(!line.includes('#x'), 'the raw target never reaches the log');
});

test('a fragment on a WebSocket upgrade is refused the same way', { timeout: 60_000 }, async () => {
  upstream.received.length = 0;
  const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
  const exchange = await rawExchange(gateway.port, request('GET', '/secure#x', upgrade), 1);
  assert.equal(exchange.responses[0]?.status, 400);
  assert.equal((JSON.parse(exchange.responses[0]?.body ?? '{}') as ErrorBody).error.code, 'bad_path');
  assert.equal(upstream.received.length, 0);
});

test('OPTIONS * is answered by the gateway itself; an origin-form neighbour still reaches its route', { timeout: 60_000 }, async () => {
  upstream.received.length = 0;
  const exchange = await rawExchange(gateway.port, request('OPTIONS', '*'), 1);
  assert.equal(exchange.responses[0]?.status, 200);
  assert.match(exchange.responses[0]?.headers.allow ?? '', /GET/);
  assert.equal(upstream.received.length, 0);
  const secure = await rawExchange(gateway.port, request('GET', '/secure'), 1);
  assert.equal(secure.responses[0]?.status, 401, 'the auth route answers its own path');
  const open = await rawExchange(gateway.port, request('GET', '/open/%23not-a-fragment'), 1);
  assert.equal(open.responses[0]?.status, 200, 'an encoded # is an ordinary path character');
  assert.equal(upstream.received[0]?.url, '/open/%23not-a-fragment');
});
