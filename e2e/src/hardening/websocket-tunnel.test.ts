// Issue 12, item 1, whole system: a real gateway process (standalone, CONFIG_FILE) in front of real upstreams.
// The attack: `GET /open/ws` with `Upgrade: websocket` on a route without auth, an upstream that answers 200
// instead of 101, and a second request on the same connection to an auth route with spoofed identity headers.
// Before the fix the gateway spliced the sockets and the second request reached the upstream as it was sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { headerOf, parseResponses, rawExchange, startRawUpstream, type RawResponse, type RawUpstream } from '@novagate/gateway/testing/raw-http';

const API_KEY = 'e2e-consumer-key-0123456789';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

// An ordinary HTTP server (no upgrade handler): it answers an upgrade request with 200, as in the issue.
let plainUpstream: TestUpstream;
// A WebSocket server that answers 101 with a wrong Sec-WebSocket-Accept on /chat/bad and the right one elsewhere.
let wsUpstream: RawUpstream;
let gateway: GatewayProcess;

before(async () => {
  plainUpstream = await startUpstream();
  wsUpstream = await startRawUpstream((head, socket) => {
    const key = headerOf(head, 'sec-websocket-key') ?? '';
    const value = head.startsWith('GET /chat/bad') ? 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' : accept(key);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${value}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => {
      if (!chunk.toString('latin1').startsWith('GET ')) socket.write(`echo:${chunk.toString('latin1')}`);
    });
  });
  const config = {
    services: [
      { name: 'plain', url: plainUpstream.url },
      { name: 'ws', url: `http://127.0.0.1:${wsUpstream.port}` },
    ],
    routes: [
      { name: 'open', service: 'plain', paths: ['/open/*'] },
      { name: 'chat', service: 'ws', paths: ['/chat/*'] },
      { name: 'secure', service: 'plain', paths: ['/secure/*'], auth: 'key-auth' },
    ],
    consumers: [{ username: 'ops', apiKeyHashes: [sha256(API_KEY)] }],
  };
  gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(config) });
});
after(async () => {
  await gateway?.stop();
  await plainUpstream?.close();
  await wsUpstream?.close();
});

const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: gw.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const SMUGGLED = 'GET /secure/x HTTP/1.1\r\nHost: gw.test\r\nX-Consumer-Username: admin\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n';

interface LogLine {
  route?: string;
  status?: number;
}
const logged = (route: string) => gateway.lines.map((line) => JSON.parse(line) as LogLine).filter((entry) => entry.route === route);

test('an upgrade the upstream answers with 200 is relayed as a 200; the request behind it gets 401 and never reaches the upstream', { timeout: 60_000 }, async () => {
  plainUpstream.received.length = 0;
  const exchange = await rawExchange(gateway.port, upgrade('/open/ws') + SMUGGLED, 2);
  assert.deepEqual(exchange.responses.map((r) => r.status), [200, 401]);
  assert.equal(exchange.responses[0]?.headers.upgrade, undefined);
  assert.equal((JSON.parse(exchange.responses[1]?.body ?? '{}') as { error: { reason: string } }).error.reason, 'missing_credential');
  assert.deepEqual(plainUpstream.received.map((r) => r.url), ['/open/ws'], 'only the handshake reached the upstream');
  for (const received of plainUpstream.received) {
    assert.equal(received.headers['x-consumer-username'], undefined);
    assert.equal(received.headers['x-forwarded-for'], '127.0.0.1');
  }
  // The refused request is a request of its own in the gateway's log.
  await waitFor(() => logged('secure').some((entry) => entry.status === 401));
});

test('an upstream 101 with a wrong Sec-WebSocket-Accept gets 502 and no tunnel; the request behind it gets 401', { timeout: 60_000 }, async () => {
  wsUpstream.received.length = 0;
  plainUpstream.received.length = 0;
  const exchange = await rawExchange(gateway.port, upgrade('/chat/bad') + SMUGGLED, 2);
  assert.deepEqual(exchange.responses.map((r) => r.status), [502, 401]);
  assert.equal(wsUpstream.received.length, 1);
  assert.ok(!wsUpstream.all().includes('/secure/x'), 'nothing was piped to the WebSocket upstream');
  assert.equal(plainUpstream.received.length, 0);
});

test('a real WebSocket handshake is still spliced through the gateway process', { timeout: 60_000 }, async () => {
  const socket = connect(gateway.port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(upgrade('/chat/room'));
  let data: Buffer = Buffer.alloc(0);
  let switched: RawResponse | undefined;
  const echoed = await new Promise<string>((resolve, reject) => {
    socket.on('close', () => reject(new Error('closed before the echo')));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (switched === undefined) {
        const parsed = parseResponses(data);
        switched = parsed.responses[0];
        if (switched === undefined) return;
        data = parsed.rest;
        socket.write('hello');
      }
      if (data.toString('latin1').includes('echo:hello')) resolve(data.toString('latin1'));
    });
  });
  socket.destroy();
  assert.equal(switched?.status, 101);
  assert.equal(switched?.headers['sec-websocket-accept'], accept('dGhlIHNhbXBsZSBub25jZQ=='));
  assert.equal(echoed, 'echo:hello');
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
