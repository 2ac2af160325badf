import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { sha256Hex } from '../policies/key-auth/key-auth-policy.js';

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
