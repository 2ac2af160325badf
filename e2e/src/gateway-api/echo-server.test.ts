import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { connect as connectHttp2 } from 'node:http2';
import { WebSocket } from 'ws';
import { canonicalHeaderName, echoDelayMs, echoSetHeaders, MAX_ECHO_DELAY_MS, RequestLog, startEchoServer, type EchoResponse, type EchoServer } from './echo-server.js';

let server: EchoServer;
before(async () => {
  server = await startEchoServer({ namespace: 'gateway-conformance-infra', pod: 'infra-backend-v1-abc-x0001' }, '127.0.0.1');
});
after(() => server.close());

function send(rawHeaders: [string, string][], path = '/', method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    // Raw header pairs (repeated names kept); a Host is added unless the test gives one, as HTTP/1.1 requires.
    const pairs = rawHeaders.some(([name]) => name.toLowerCase() === 'host') ? rawHeaders : [['Host', 'gateway'] as [string, string], ...rawHeaders];
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: pairs.flat() as unknown as Record<string, string> }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test("answers with echo-basic's JSON field names: what the conformance tests read", async () => {
  const { status, headers, text } = await send([['Host', 'example.com'], ['Version', 'one']], '/v2/example?q=1');
  assert.equal(status, 200);
  assert.equal(headers['content-type'], 'application/json');
  const echo = JSON.parse(text) as EchoResponse;
  assert.deepEqual(Object.keys(echo).sort(), ['headers', 'host', 'httpPort', 'ingress', 'method', 'namespace', 'path', 'pod', 'proto', 'service']);
  assert.equal(echo.path, '/v2/example?q=1', 'the request URI, query included');
  assert.equal(echo.host, 'example.com');
  assert.equal(echo.method, 'GET');
  assert.equal(echo.proto, 'HTTP/1.1');
  assert.equal(echo.namespace, 'gateway-conformance-infra');
  assert.equal(echo.pod, 'infra-backend-v1-abc-x0001');
  assert.equal(echo.httpPort, String(server.port));
  assert.deepEqual(echo.headers.Version, ['one']);
  assert.equal(echo.headers.Host, undefined, 'Host is reported as host, not among the headers (as Go does)');
});

test('repeated headers keep every value, under the canonical name', async () => {
  const echo = JSON.parse((await send([['x-header-add', 'a'], ['X-HEADER-ADD', 'b']])).text) as EchoResponse;
  assert.deepEqual(echo.headers['X-Header-Add'], ['a', 'b']);
});

test('X-Echo-Set-Header sets the response headers it lists; an empty one sets none', async () => {
  const { headers } = await send([['X-Echo-Set-Header', 'X-Header-Set: one, X-Other:two']]);
  assert.equal(headers['x-header-set'], 'one', 'surrounding whitespace is not part of a header value on the wire');
  assert.equal(headers['x-other'], 'two');
  const empty = await send([['X-Echo-Set-Header', '']]);
  assert.equal(empty.status, 200);
  assert.deepEqual(echoSetHeaders(['A:1,A:2']), new Map([['A', '1,2']]));
  assert.equal(canonicalHeaderName('x-echo-SET-header'), 'X-Echo-Set-Header');
});

test('a request body is read to its end before the answer', async () => {
  const { status, text } = await send([['Content-Type', 'text/plain']], '/upload', 'POST', 'x'.repeat(256 * 1024));
  assert.equal(status, 200);
  assert.equal((JSON.parse(text) as EchoResponse).method, 'POST');
});

test('oversized headers are refused with 431, and malformed requests with 400, without bringing the server down', async () => {
  const { status } = await send([['X-Big', 'y'.repeat(80 * 1024)]]);
  assert.equal(status, 431);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.end('GARBAGE / HTTP/9\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.equal((await send([])).status, 200, 'still serving');
});

test('?delay= waits that long before answering, read as a Go duration', async () => {
  assert.equal(echoDelayMs('/plain'), 0);
  assert.equal(echoDelayMs('/x?delay=0'), 0);
  assert.equal(echoDelayMs('/x?delay=1s'), 1_000);
  assert.equal(echoDelayMs('/x?a=b&delay=1s200ms'), 1_200);
  assert.equal(echoDelayMs('/x?delay=0.25m'), 15_000);
  assert.equal(echoDelayMs('/x?delay=1.5s'), 1_500);
  assert.equal(echoDelayMs('/x?delay=250ms'), 250);
  const started = Date.now();
  const { status, text } = await send([], '/slow?delay=300ms');
  assert.equal(status, 200);
  assert.ok(Date.now() - started >= 290, `answered after ${Date.now() - started} ms`);
  assert.equal((JSON.parse(text) as EchoResponse).path, '/slow?delay=300ms');
});

test('a malformed, negative or too long delay is refused with 400 naming the parameter, and nothing waits', async () => {
  for (const value of ['soon', '1', '-1s', '1x', '1s2', `${MAX_ECHO_DELAY_MS / 1000 + 1}s`, '999999999h']) {
    assert.throws(() => echoDelayMs(`/x?delay=${encodeURIComponent(value)}`), /query parameter delay/, value);
  }
  const started = Date.now();
  const { status, text } = await send([], '/slow?delay=1h');
  assert.equal(status, 400);
  assert.match(text, /delay '1h' exceeds 30s/);
  assert.ok(Date.now() - started < 1_000);
});

test('a client that leaves during a delay is not answered, and the server goes on serving', async () => {
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/slow?delay=5s' });
    req.on('error', () => resolve());
    req.setTimeout(100, () => req.destroy(new Error('left')));
    req.end();
  });
  assert.equal((await send([], '/after')).status, 200);
});

test('the request log records what each request looked like, newest last, and keeps only the last ones', async () => {
  await send([['X-Probe', 'log-check']], '/logged?id=7', 'PUT', 'body');
  const last = server.seen().at(-1)!;
  assert.equal(last.path, '/logged?id=7');
  assert.equal(last.method, 'PUT');
  assert.equal(last.pod, 'infra-backend-v1-abc-x0001');
  assert.deepEqual(last.headers['X-Probe'], ['log-check']);
  const log = new RequestLog(3);
  for (let index = 0; index < 10; index++) log.record({ at: index, pod: 'p', namespace: 'n', method: 'GET', path: `/${index}`, host: 'h', proto: 'HTTP/1.1', headers: {} });
  assert.deepEqual(log.list().map((entry) => entry.path), ['/7', '/8', '/9'], 'a flood costs no more than the capacity');
});

test('in h2c mode it answers HTTP/2 with prior knowledge, reporting proto HTTP/2.0 and the :authority as host', async () => {
  const h2c = await startEchoServer({ namespace: 'gateway-conformance-infra', pod: 'infra-backend-v1-abc-x0002' }, '127.0.0.1', 0, { h2c: true });
  try {
    const session = connectHttp2(`http://127.0.0.1:${h2c.port}`);
    const text = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/h2?x=1', ':authority': 'h2c.example', 'x-probe': 'one' });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
      stream.end();
    });
    session.close();
    const echo = JSON.parse(text) as EchoResponse;
    assert.equal(echo.proto, 'HTTP/2.0');
    assert.equal(echo.host, 'h2c.example');
    assert.equal(echo.path, '/h2?x=1');
    assert.deepEqual(echo.headers['X-Probe'], ['one']);
    assert.ok(!Object.keys(echo.headers).some((name) => name.startsWith(':')), 'pseudo-headers are not headers');
    assert.equal(h2c.seen().at(-1)?.proto, 'HTTP/2.0');
  } finally {
    await h2c.close();
  }
});

test('a WebSocket upgrade on the HTTP port echoes each message back; other upgrades are refused', async () => {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws-path`, { headers: { host: 'ws.example' } });
  const reply = await new Promise<string>((resolve, reject) => {
    socket.on('open', () => socket.send('hello over ws'));
    socket.on('message', (data) => resolve(String(data)));
    socket.on('error', reject);
  });
  socket.close();
  assert.equal(reply, 'hello over ws');
  const seen = server.seen().filter((entry) => entry.proto === 'websocket').at(-1)!;
  assert.equal(seen.path, '/ws-path');
  assert.equal(seen.host, 'ws.example');
  const refused = await new Promise<string>((resolve, reject) => {
    const raw = connect(server.port, '127.0.0.1', () => raw.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c-nonsense\r\n\r\n'));
    let text = '';
    raw.on('data', (chunk) => (text += chunk.toString('latin1')));
    raw.on('close', () => resolve(text));
    raw.on('error', reject);
  });
  assert.equal(refused, '', 'the connection is closed without an answer');
  assert.equal((await send([])).status, 200, 'still serving');
});
