import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { canonicalHeaderName, echoSetHeaders, startEchoServer, type EchoResponse, type EchoServer } from './echo-server.js';

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
