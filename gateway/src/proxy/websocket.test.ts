import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { sha256Hex } from '../policies/key-auth/key-auth-policy.js';
import { headerOf, parseResponses, rawExchange, startRawUpstream, type RawResponse, type RawUpstream } from '../testing/raw-http.js';
import { webSocketAccept } from './websocket.js';

const KEY = 'ws-client-key-0123456789';
let upstream: Server;
let handshakes: { url: string; headers: IncomingHttpHeaders }[] = [];
let gateway: TestGateway;

before(async () => {
  // A WebSocket-speaking upstream: completes the RFC 6455 handshake, then echoes every byte it gets.
  upstream = createServer((_req, res) => res.end('not a websocket'));
  upstream.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    handshakes.push({ url: req.url ?? '', headers: req.headers });
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    socket.pipe(socket);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const port = (upstream.address() as AddressInfo).port;
  gateway = await startTestGateway({
    services: [{ name: 'ws', url: `http://127.0.0.1:${port}` }],
    routes: [{ name: 'ws', service: 'ws', paths: ['/ws/*'], auth: 'key-auth' }],
    consumers: [{ username: 'chat', apiKeyHashes: [sha256Hex(KEY)] }],
  });
});
after(async () => {
  await gateway.close();
  upstream.closeAllConnections();
  upstream.close();
});

function upgrade(path: string, headers: Record<string, string>) {
  const req = httpRequest({
    host: '127.0.0.1',
    port: gateway.port,
    path,
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      ...headers,
    },
  });
  req.end();
  return req;
}

test('a WebSocket upgrade passes through: 101 from the upstream, then bytes flow both ways untouched', { timeout: 60_000 }, async () => {
  handshakes = [];
  const req = upgrade('/ws/room/./1', { apikey: KEY });
  const [res, socket] = (await once(req, 'upgrade')) as [IncomingMessage, Duplex];
  assert.equal(res.statusCode, 101);
  assert.equal(res.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  socket.write('hello through the gateway');
  const [echoed] = (await once(socket, 'data')) as [Buffer];
  assert.equal(echoed.toString(), 'hello through the gateway');
  socket.destroy();
  const seen = handshakes[0];
  assert.equal(seen?.url, '/ws/room/1');
  assert.equal(seen?.headers.upgrade, 'websocket');
  assert.equal(seen?.headers.apikey, undefined, 'the credential stays at the gateway');
  assert.equal(seen?.headers['x-consumer-username'], 'chat');
  assert.match(String(seen?.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('an upgrade refused by a policy gets the JSON error and never reaches the upstream', { timeout: 60_000 }, async () => {
  handshakes = [];
  const req = upgrade('/ws/room/1', {});
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 401);
  let body = '';
  for await (const chunk of res) body += String(chunk);
  assert.equal((JSON.parse(body) as { error: { reason: string } }).error.reason, 'missing_credential');
  assert.equal(handshakes.length, 0);
});

// The tunnel attack of issue 12: an upstream that does not switch protocols must never get the client's
// connection as a raw pipe. Each case pipelines, behind the upgrade, a request to an auth route carrying spoofed
// identity headers: it must be parsed, routed and refused by the gateway, and never reach the upstream.
describe('an upgrade the upstream does not complete', () => {
  const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
  let raw: RawUpstream;
  let answer: (head: string, socket: Socket) => void = () => undefined;
  let gw: TestGateway;

  before(async () => {
    raw = await startRawUpstream((head, socket) => {
      // Each plain request on a connection of its own: this upstream answers only the first head of a connection.
      const plain = (body: string) => socket.end(`HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      if (head.startsWith('GET /open/slow')) setTimeout(() => plain('slow'), 300);
      else if (headerOf(head, 'upgrade') === undefined) plain('plain');
      else answer(head, socket);
    });
    gw = await startTestGateway({
      services: [{ name: 'raw', url: `http://127.0.0.1:${raw.port}` }],
      routes: [
        { name: 'open', service: 'raw', paths: ['/open/*'], rateLimit: { limit: 1000, windowSeconds: 60, by: 'ip' } },
        { name: 'secure', service: 'raw', paths: ['/secure/*'], auth: 'key-auth' },
      ],
      consumers: [{ username: 'chat', apiKeyHashes: [sha256Hex(KEY)] }],
    });
  });
  after(async () => {
    await gw.close();
    await raw.close();
  });

  const upgradeRequest = (path = '/open/ws', extra = '') =>
    `GET ${path} HTTP/1.1\r\nHost: gw.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${GOOD_KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
  const spoofed = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gw.test\r\nX-Consumer-Username: admin\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n`;
  const byRoute = (route: string) =>
    gw.logLines().map((line) => JSON.parse(line) as { route?: string; status?: number }).filter((entry) => entry.route === route);

  const cases: [string, string, number][] = [
    ['200', 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok', 200],
    ['400', 'HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n3\r\nno!\r\n0\r\n\r\n', 400],
    ['101 with a wrong Sec-WebSocket-Accept', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n', 502],
    ['101 to another protocol', `HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\nconnection: Upgrade\r\nsec-websocket-accept: ${'s3pPLMBiTxaQ9kYGzzhZRbK+xOo='}\r\n\r\n`, 502],
  ];
  for (const [name, upstreamAnswer, status] of cases) {
    test(`an upstream answering ${name} is relayed as a ${status} and the pipelined request behind it is routed, refused and never reaches the upstream`, { timeout: 30_000 }, async () => {
      answer = (_head, socket) => socket.write(upstreamAnswer);
      raw.received.length = 0;
      const secureBefore = byRoute('secure').length;
      const exchange = await rawExchange(gw.port, upgradeRequest() + spoofed('/open/plain') + spoofed('/secure/x'), 3);
      assert.deepEqual(exchange.responses.map((r) => r.status), [status, 200, 401]);
      const [relayed, plain, refused] = exchange.responses as [RawResponse, RawResponse, RawResponse];
      assert.equal(relayed.headers.upgrade, undefined, 'no protocol switch is announced');
      assert.match(relayed.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      if (status !== 502) assert.equal(relayed.body, status === 200 ? 'ok' : 'no!');
      else assert.equal((JSON.parse(relayed.body) as { error: { code: string } }).error.code, 'bad_upstream_handshake');
      assert.equal((JSON.parse(refused.body) as { error: { reason: string } }).error.reason, 'missing_credential');
      assert.equal(plain.body, 'plain');
      assert.ok(plain.headers['ratelimit-limit'] !== undefined, 'the rate limiter ran on the request after the upgrade');
      // The upstream saw the handshake and the plain request, each as a request of its own, and nothing else.
      const seen = raw.all();
      assert.equal(raw.received.length, 2);
      assert.ok(!seen.includes('/secure/x'), 'the auth route was never reached');
      assert.ok(!seen.includes('6.6.6.6'), 'the spoofed X-Forwarded-For never passed');
      assert.ok(!/x-consumer-username/i.test(seen), 'the spoofed X-Consumer-Username never passed');
      const plainHead = raw.received.find((text) => text.startsWith('GET /open/plain')) ?? '';
      assert.equal(headerOf(plainHead, 'x-forwarded-for'), '127.0.0.1');
      // Logged like any request: the refused one included.
      assert.equal(byRoute('secure').length, secureBefore + 1);
      assert.equal(byRoute('secure').at(-1)?.status, 401);
    });
  }

  test('an upstream completing the handshake for this key gets the connection spliced', { timeout: 30_000 }, async () => {
    answer = (head, socket) => {
      const accept = webSocketAccept(headerOf(head, 'sec-websocket-key') ?? '');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
      socket.on('data', (chunk: Buffer) => socket.write(`echo:${chunk.toString()}`));
    };
    raw.received.length = 0;
    const socket = connect(gw.port, '127.0.0.1');
    socket.write(upgradeRequest());
    const [data] = (await once(socket, 'data')) as [Buffer];
    const [switched] = parseResponses(data).responses;
    assert.equal(switched?.status, 101);
    assert.equal(switched?.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(switched?.headers.upgrade, 'websocket');
    socket.write('frame');
    const [echoed] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echoed.toString(), 'echo:frame');
    socket.destroy();
  });

  test('an h2c or unknown upgrade is not tunnelled: the request is served as plain HTTP without its upgrade headers', { timeout: 30_000 }, async () => {
    answer = () => assert.fail('the upstream saw an upgrade');
    for (const upgrade of ['h2c', 'websocket, h2c', 'TLS/1.0']) {
      raw.received.length = 0;
      const request = `GET /open/h2 HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: ${upgrade}\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n`;
      const exchange = await rawExchange(gw.port, request + spoofed('/secure/x'), 2);
      assert.deepEqual(exchange.responses.map((r) => r.status), [200, 401], upgrade);
      assert.equal(exchange.responses[0]?.body, 'plain');
      const head = raw.received[0] ?? '';
      assert.ok(head.startsWith('GET /open/h2 HTTP/1.1'), upgrade);
      assert.equal(headerOf(head, 'upgrade'), undefined, upgrade);
      assert.equal(headerOf(head, 'http2-settings'), undefined, upgrade);
      assert.equal(raw.received.length, 1, upgrade);
    }
  });

  test('an upgrade pipelined behind a slow request waits for its response: every answer comes back whole and in order', { timeout: 30_000 }, async () => {
    answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    const slow = 'GET /open/slow HTTP/1.1\r\nHost: gw.test\r\n\r\n';
    const h2c = 'GET /open/h2 HTTP/1.1\r\nHost: gw.test\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n';
    const websocket = await rawExchange(gw.port, slow + upgradeRequest() + spoofed('/secure/x'), 3);
    assert.deepEqual(websocket.responses.map((r) => [r.status, r.body.startsWith('{') ? 'json' : r.body]), [[200, 'slow'], [200, 'ok'], [401, 'json']]);
    const plain = await rawExchange(gw.port, slow + h2c + spoofed('/secure/x'), 3);
    assert.deepEqual(plain.responses.map((r) => [r.status, r.body.startsWith('{') ? 'json' : r.body]), [[200, 'slow'], [200, 'plain'], [401, 'json']]);
  });

  test('after a relayed answer to an upgrade that said Connection: close, the connection closes', { timeout: 30_000 }, async () => {
    answer = (_head, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    raw.received.length = 0;
    const request = upgradeRequest().replace('Connection: Upgrade', 'Connection: Upgrade, close');
    const exchange = await rawExchange(gw.port, request + spoofed('/open/plain'), 2);
    assert.deepEqual(exchange.responses.map((r) => r.status), [200]);
    assert.equal(exchange.closed, true);
    assert.equal(raw.received.length, 1, 'the request behind it was never served');
  });

  test('a WebSocket upgrade that is not a valid opening handshake gets 400 bad_upgrade and never reaches the upstream', { timeout: 30_000 }, async () => {
    const valid = upgradeRequest();
    const invalid: [string, string][] = [
      ['POST', valid.replace('GET ', 'POST ')],
      ['no key', valid.replace(`Sec-WebSocket-Key: ${GOOD_KEY}\r\n`, '')],
      ['15-byte key', valid.replace(GOOD_KEY, 'dGhlIHNhbXBsZSBub25j')],
      ['non-base64 key', valid.replace(GOOD_KEY, 'dGhlIHNhbXBsZSBub25jZQ!!')],
      ['two keys', upgradeRequest('/open/ws', `Sec-WebSocket-Key: ${GOOD_KEY}\r\n`)],
      ['version 8', valid.replace('Version: 13', 'Version: 8')],
      ['no version', valid.replace('Sec-WebSocket-Version: 13\r\n', '')],
      ['a body', upgradeRequest('/open/ws', 'Content-Length: 5\r\n') + 'hello'],
      ['HTTP/1.0', valid.replace('HTTP/1.1', 'HTTP/1.0')],
    ];
    raw.received.length = 0;
    for (const [name, request] of invalid) {
      const exchange = await rawExchange(gw.port, request, 1);
      assert.equal(exchange.responses[0]?.status, 400, name);
      assert.equal((JSON.parse(exchange.responses[0]?.body ?? '{}') as { error?: { code: string } }).error?.code, 'bad_upgrade', name);
    }
    assert.equal(raw.received.length, 0);
  });
});

test('Sec-WebSocket-Accept is base64(SHA-1(key + GUID)) (RFC 6455 §1.3 example)', () => {
  assert.equal(webSocketAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});
