// gRPC end to end: a real @grpc/grpc-js client and server through a gateway with an h2c listener.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as h2Connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { deserialize, ECHO_SERVICE, echoClient, serialize, startEchoServer, unary, type EchoServer } from '../testing/grpc-echo.js';
import { startListeningGateway, type ListeningGateway } from '../testing/listening-gateway.js';
import { freePort } from '../testing/redis-server.js';

let echo: EchoServer;
let gateway: ListeningGateway;
let port: number;
let client: grpc.Client;

before(async () => {
  echo = await startEchoServer();
  port = await freePort();
  const downPort = await freePort();
  gateway = await startListeningGateway(
    {
      listeners: [{ name: 'grpc', port, protocol: 'HTTP', http2: true }],
      services: [
        { name: 'echo', url: `http://127.0.0.1:${echo.port}`, http2: true, timeoutMs: 5_000 },
        { name: 'echo-short', url: `http://127.0.0.1:${echo.port}`, http2: true, timeoutMs: 300 },
        { name: 'echo-h1', url: `http://127.0.0.1:${echo.port}` },
        { name: 'down', url: `http://127.0.0.1:${downPort}`, http2: true },
      ],
      routes: [
        { name: 'echo', service: 'echo', paths: ['/test.Echo/*'] },
        { name: 'short', service: 'echo-short', paths: ['/short/*'], stripPrefix: true },
        { name: 'h1', service: 'echo-h1', paths: ['/h1/*'], stripPrefix: true },
        { name: 'down', service: 'down', paths: ['/down/*'], stripPrefix: true },
        { name: 'jwt', service: 'echo', paths: ['/jwt/*'], stripPrefix: true, auth: 'jwt' },
        { name: 'limited', service: 'echo', paths: ['/limited/*'], stripPrefix: true, rateLimit: { limit: 1, windowSeconds: 60, by: 'ip' } },
      ],
    },
    { http2: { maxConcurrentStreams: 4, maxHeaderListSize: 16 * 1024, maxResetsPerSecond: 1_000 } },
  );
  client = echoClient(port);
});

after(async () => {
  client.close();
  await gateway.close();
  await echo.close();
});

/** A unary call on another path of the same method (the gateway's prefixed routes strip the prefix). */
function unaryAt(prefix: string, name: keyof typeof ECHO_SERVICE, request: string, options: grpc.CallOptions = {}): Promise<{ value?: string; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(`${prefix}${ECHO_SERVICE[name].path}`, serialize, deserialize, request, new grpc.Metadata(), options, (error, value) =>
      resolve(error === null ? { value } : { error }),
    );
  });
}

test('unary call goes through the gateway', async () => {
  const { value, error } = await unary(client, 'Unary', 'hello');
  assert.equal(error, undefined);
  assert.equal(value, 'echo:hello');
});

test('a handler’s grpc-status, message and trailing metadata arrive as such', async () => {
  const { error } = await unary(client, 'Fail', 'x');
  assert.equal(error?.code, grpc.status.NOT_FOUND, error?.details);
  assert.equal(error?.details, 'no such user');
  assert.deepEqual(error?.metadata.get('x-detail'), ['user 42']);
});

test('server streaming relays every message and the trailers', async () => {
  const call = client.makeServerStreamRequest(ECHO_SERVICE.ServerStream.path, serialize, deserialize, '50', new grpc.Metadata(), {});
  const items: string[] = [];
  call.on('data', (item: string) => items.push(item));
  const [status] = (await once(call, 'status')) as [grpc.StatusObject];
  assert.equal(status.code, grpc.status.OK);
  assert.equal(items.length, 50);
  assert.equal(items[49], 'item-49');
  assert.deepEqual(status.metadata.get('x-count'), ['50']);
});

test('client streaming sends every message before the answer', async () => {
  const result = await new Promise<string>((resolve, reject) => {
    const call = client.makeClientStreamRequest(ECHO_SERVICE.ClientStream.path, serialize, deserialize, new grpc.Metadata(), {}, (error, value) =>
      error === null ? resolve(value as string) : reject(error),
    );
    for (const part of ['a', 'b', 'c']) call.write(part);
    call.end();
  });
  assert.equal(result, 'a+b+c');
});

test('bidirectional streaming: each answer arrives before the next message is sent (nothing buffered)', async () => {
  const call = client.makeBidiStreamRequest(ECHO_SERVICE.Bidi.path, serialize, deserialize, new grpc.Metadata(), {});
  for (const part of ['one', 'two', 'three']) {
    call.write(part);
    const [answer] = (await once(call, 'data')) as [string];
    assert.equal(answer, `re:${part}`);
  }
  call.end();
  const [status] = (await once(call, 'status')) as [grpc.StatusObject];
  assert.equal(status.code, grpc.status.OK);
});

test('the service timeout bounds a call: DEADLINE_EXCEEDED and the upstream call cancelled', async () => {
  const before = echo.cancelled;
  const started = Date.now();
  const { error } = await unaryAt('/short', 'Slow', '5000', { deadline: Date.now() + 10_000 });
  assert.equal(error?.code, grpc.status.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started < 3_000, 'the gateway answered, not the client deadline');
  await waitFor(() => echo.cancelled > before, 'the upstream call was cancelled');
});

test('a client deadline (grpc-timeout) cancels the upstream call', async () => {
  const before = echo.cancelled;
  const { error } = await unary(client, 'Slow', '5000', new grpc.Metadata(), { deadline: Date.now() + 300 });
  assert.equal(error?.code, grpc.status.DEADLINE_EXCEEDED);
  await waitFor(() => echo.cancelled > before, 'the upstream call was cancelled');
});

test('gateway refusals arrive as gRPC statuses, with the request id', async () => {
  const cases: [string, number][] = [
    ['/nowhere', grpc.status.UNIMPLEMENTED],
    ['/jwt', grpc.status.UNAUTHENTICATED],
    ['/down', grpc.status.UNAVAILABLE],
  ];
  for (const [prefix, code] of cases) {
    const { error } = await unaryAt(prefix, 'Unary', 'x');
    assert.equal(error?.code, code, prefix);
    assert.equal(error?.metadata.get('x-request-id').length, 1, `${prefix}: request id kept`);
  }
  assert.equal((await unaryAt('/limited', 'Unary', 'x')).value, 'echo:x');
  assert.equal((await unaryAt('/limited', 'Unary', 'x')).error?.code, grpc.status.RESOURCE_EXHAUSTED);
  const lines = gateway.logLines().map((line) => JSON.parse(line) as { route?: string; status?: number; upstreamCause?: string });
  assert.ok(lines.some((line) => line.route === 'jwt' && line.status === 401), 'the log line keeps the HTTP status the gateway decided');
  assert.ok(lines.some((line) => line.route === 'limited' && line.status === 429));
  assert.ok(lines.some((line) => line.route === 'down' && line.status === 502 && line.upstreamCause === 'connection_refused'), 'the upstream cause is named');
});

test('attacker: gRPC to a service without http2 is a clear UNAVAILABLE naming the cause', async () => {
  const { error } = await unaryAt('/h1', 'Unary', 'x');
  assert.equal(error?.code, grpc.status.UNAVAILABLE);
  assert.match(error?.details ?? '', /http2: true/);
  assert.match(error?.details ?? '', /protocol_error/);
});

/** A raw HTTP/2 gRPC-shaped request, to send headers grpc-js never would. */
async function rawGrpc(session: ClientHttp2Session, path: string, headers: Record<string, string>, message: string): Promise<IncomingHttpHeaders> {
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
  // One length-prefixed, uncompressed message.
  const payload = Buffer.from(message);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(payload.length, 1);
  stream.end(Buffer.concat([prefix, payload]));
  let final: IncomingHttpHeaders = {};
  stream.on('response', (headers) => (final = { ...final, ...headers }));
  stream.on('trailers', (trailers) => (final = { ...final, ...trailers }));
  stream.resume();
  await once(stream, 'close');
  return final;
}

test('attacker: a huge grpc-timeout is capped by the service timeout, a malformed one is INVALID_ARGUMENT', async () => {
  const session = h2Connect(`http://127.0.0.1:${port}`);
  try {
    const started = Date.now();
    const huge = await rawGrpc(session, `/short${ECHO_SERVICE.Slow.path}`, { 'grpc-timeout': '99999999H' }, '5000');
    assert.equal(huge['grpc-status'], '4', String(huge['grpc-message']));
    assert.ok(Date.now() - started < 3_000);
    for (const malformed of ['5s', '123456789S', '-1S', 'S', '1.5S']) {
      const answer = await rawGrpc(session, ECHO_SERVICE.Unary.path, { 'grpc-timeout': malformed }, 'x');
      assert.equal(answer[':status'], 200, malformed);
      assert.equal(answer['grpc-status'], '3', malformed);
      assert.match(String(answer['grpc-message']), /grpc-timeout/);
    }
  } finally {
    session.close();
  }
});

test('attacker: a flood of streams is bounded by the listener’s concurrent-stream limit', async () => {
  const flood = echoClient(port);
  try {
    const calls = Array.from({ length: 20 }, () => unary(flood, 'Slow', '150'));
    const results = await Promise.all(calls);
    assert.ok(results.every((result) => result.value === 'late'), 'every call completes once slots free up');
    assert.ok(echo.slowPeak <= 4, `at most 4 calls reached the upstream at once (saw ${echo.slowPeak})`);
  } finally {
    flood.close();
  }
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 3_000;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
