// A backend's protocol is the chosen service's: gRPC over HTTP/2 through a split route, WebSocket upgrades
// through one (with the backend's header edits, never mirrored), and an invalid share of an upgrade answering 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { deserialize, ECHO_SERVICE, echoClient, serialize, startEchoServer, type EchoServer } from '../../testing/grpc-echo.js';
import { startListeningGateway, type ListeningGateway } from '../../testing/listening-gateway.js';
import { freePort } from '../../testing/redis-server.js';

let echo: EchoServer;
let wsUpstream: Server;
let handshakes: { url: string; headers: IncomingHttpHeaders }[] = [];
let gateway: ListeningGateway;
let port: number;
let client: grpc.Client;

before(async () => {
  echo = await startEchoServer();
  wsUpstream = createServer((_req, res) => res.end('not a websocket'));
  wsUpstream.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    handshakes.push({ url: req.url ?? '', headers: req.headers });
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    socket.pipe(socket);
  });
  wsUpstream.listen(0, '127.0.0.1');
  await once(wsUpstream, 'listening');
  const wsPort = (wsUpstream.address() as AddressInfo).port;
  port = await freePort();
  gateway = await startListeningGateway({
    listeners: [{ name: 'h2c', port, protocol: 'HTTP', http2: true }],
    services: [
      { name: 'echo-h2', url: `http://127.0.0.1:${echo.port}`, http2: true, timeoutMs: 5_000 },
      { name: 'echo-h2-again', url: `http://127.0.0.1:${echo.port}`, http2: true, timeoutMs: 5_000 },
      { name: 'echo-h1', url: `http://127.0.0.1:${echo.port}` },
      { name: 'ws', url: `http://127.0.0.1:${wsPort}` },
    ],
    routes: [
      { name: 'grpc-split', paths: ['/split/*'], stripPrefix: true, backends: [{ service: 'echo-h2' }, { service: 'echo-h2-again' }], mirrors: [{ service: 'echo-h1' }] },
      { name: 'grpc-mixed', paths: ['/mixed/*'], stripPrefix: true, backends: [{ service: 'echo-h2' }, { service: 'echo-h1' }] },
      { name: 'ws-split', paths: ['/ws/*'], backends: [{ service: 'ws', requestHeaders: { set: { 'x-backend': 'ws' } } }, { invalid: true }], mirrors: [{ service: 'echo-h1' }] },
    ],
  });
  client = echoClient(port);
});

after(async () => {
  client.close();
  await gateway.close();
  await echo.close();
  wsUpstream.closeAllConnections();
  wsUpstream.close();
});

function unaryAt(prefix: string, request: string): Promise<{ value?: string; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(`${prefix}${ECHO_SERVICE.Unary.path}`, serialize, deserialize, request, new grpc.Metadata(), {}, (error, value) =>
      resolve(error === null ? { value } : { error }),
    );
  });
}

async function mirrored(route: string, service: string, outcome: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const prefix = `novagate_mirror_requests_total{route="${route}",service="${service}",outcome="${outcome}"} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

test('gRPC calls through a split over two http2 services all succeed; their mirror copies are skipped as dropped_protocol', async () => {
  for (let i = 0; i < 6; i++) {
    const { value, error } = await unaryAt('/split', `call ${i}`);
    assert.equal(error, undefined, error?.details);
    assert.equal(value, `echo:call ${i}`);
  }
  assert.equal(await mirrored('grpc-split', 'echo-h1', 'dropped_protocol'), 6);
});

test("each request's protocol is its chosen backend's: the HTTP/1.1 share of a mixed split refuses gRPC, the http2 share answers", async () => {
  let answered = 0;
  let refused = 0;
  for (let i = 0; i < 6; i++) {
    const { value, error } = await unaryAt('/mixed', 'x');
    if (error === undefined) {
      assert.equal(value, 'echo:x');
      answered++;
    } else {
      assert.match(error.details, /http2/);
      refused++;
    }
  }
  assert.deepEqual([answered, refused], [3, 3]);
});

function upgrade(path: string): Promise<{ res: IncomingMessage; socket?: Duplex }> {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
  });
  req.end();
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('upgrade', (res: IncomingMessage, socket: Duplex) => resolve({ res, socket }));
    req.on('response', (res: IncomingMessage) => resolve({ res }));
  });
}

test('WebSocket upgrades go through a split route with the backend edits; the invalid share answers 500; upgrades are never mirrored', async () => {
  handshakes = [];
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { res, socket } = await upgrade(`/ws/room/${i}`);
    statuses.push(res.statusCode ?? 0);
    if (socket !== undefined) {
      socket.write(`ping ${i}`);
      const [echoed] = (await once(socket, 'data')) as [Buffer];
      assert.equal(echoed.toString(), `ping ${i}`);
      socket.destroy();
    } else {
      let body = '';
      for await (const chunk of res) body += String(chunk);
      assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'backend_not_found');
    }
  }
  assert.deepEqual(statuses.sort(), [101, 101, 500, 500]);
  assert.equal(handshakes.length, 2);
  assert.ok(handshakes.every((seen) => seen.headers['x-backend'] === 'ws' && seen.headers['x-novagate-mirror'] === undefined));
  const text = await gateway.metrics.registry.metrics();
  assert.doesNotMatch(text, /novagate_mirror_requests_total\{route="ws-split"/);
});
