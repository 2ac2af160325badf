// When the gateway's own answers (refusals, CORS preflights) keep the client's HTTP/1.1 connection: always when
// the request had no body, never when a body was left unread. A real gateway over raw sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { rawExchange } from '../testing/raw-http.js';

let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [
      { name: 'guarded', service: 'up', paths: ['/guarded'], methods: ['GET', 'POST'], auth: 'jwt' },
      { name: 'walled', service: 'up', paths: ['/walled'], ipRestriction: { allow: ['10.0.0.0/8'] } },
      { name: 'open', service: 'up', paths: ['/open'], cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] } },
    ],
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: api.example.com\r\n${extra}\r\n`;

test('refusals of bodiless requests (401, 403, 404) keep the connection: pipelined requests after them are all answered', async () => {
  const requests = [get('/guarded'), get('/walled'), get('/nowhere'), get('/guarded', 'Authorization: Bearer not.a.jwt\r\n'), get('/open')];
  const { responses, closed } = await rawExchange(gateway.port, requests.join(''), requests.length);
  assert.deepEqual(responses.map((r) => r.status), [401, 403, 404, 401, 200]);
  for (const response of responses) assert.notEqual(response.headers.connection, 'close');
  assert.equal(closed, false);
});

test('Content-Length: 0 is no body: a refusal keeps the connection', async () => {
  const request = 'POST /guarded HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 0\r\n\r\n';
  const { responses, closed } = await rawExchange(gateway.port, request + get('/open'), 2);
  assert.deepEqual(responses.map((r) => r.status), [401, 200]);
  assert.equal(closed, false);
});

test('a refusal of a request whose body has not all arrived says Connection: close and closes', async () => {
  for (const head of [
    'POST /guarded HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 1000\r\n\r\nonly part of it',
    'POST /guarded HTTP/1.1\r\nHost: api.example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
  ]) {
    // The bytes that would follow the body must never be read as a request of their own.
    const { responses, closed } = await rawExchange(gateway.port, head + get('/open'), 2, 2_000);
    assert.deepEqual(responses.map((r) => r.status), [401], head);
    assert.equal(responses[0]?.headers.connection, 'close');
    assert.equal(closed, true);
  }
});

test('a CORS preflight without a body is answered 204 and the connection serves the next request', async () => {
  const preflight = 'OPTIONS /open HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: GET\r\n\r\n';
  const { responses, closed } = await rawExchange(gateway.port, preflight + get('/open'), 2);
  assert.deepEqual(responses.map((r) => r.status), [204, 200]);
  assert.notEqual(responses[0]?.headers.connection, 'close');
  assert.equal(closed, false);
});
