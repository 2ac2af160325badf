import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionServed, holdServedConnections, piecesOf, servedWithin, slowClient } from '@novagate/gateway/testing/slow-client';
import { withTestServer } from '../testing/with-test-server.js';

// Small bounds so that the slow clients below are cut in well under a second.
const LIMITS = { headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, requestTimeoutMs: 1_500, maxConnections: 3 };
const { server, ready } = withTestServer({ clientLimits: LIMITS });
let port: number;

before(async () => {
  await ready;
  port = server.controlPlane.port;
});

const LOGIN_HEAD = (length: number) => `POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

test('headers sent one byte at a time get 408 and the connection closed once HEADERS_TIMEOUT_MS is over', { timeout: 20_000 }, async () => {
  const headers = `GET /healthz HTTP/1.1\r\nhost: x\r\n${'x-padding: slowly\r\n'.repeat(20)}\r\n`;
  const result = await slowClient(port, piecesOf(headers), 50);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(result.piecesWritten < headers.length, 'cut before the headers were complete');
});

test('a JSON body that stops arriving gets 408 request_timeout and the connection closed after BODY_IDLE_TIMEOUT_MS', { timeout: 20_000 }, async () => {
  const body = JSON.stringify({ email: 'slow@example.com', password: 'correct horse battery' });
  const result = await slowClient(port, [LOGIN_HEAD(body.length), body.slice(0, 5)], 10);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(result.answer, /\r\nconnection: close\r\n/i);
  assert.match(result.answer, /\{"error":\{"code":"request_timeout","message":"the request body stalled: no byte arrived for 300 ms"\}\}$/);
});

test('a body trickled faster than the idle bound is still cut at REQUEST_TIMEOUT_MS', { timeout: 20_000 }, async () => {
  // One byte every 100 ms keeps the idle timer happy; this body would take 100 s.
  const body = JSON.stringify({ email: 'trickle@example.com', password: 'x'.repeat(950) });
  const result = await slowClient(port, [LOGIN_HEAD(body.length), ...piecesOf(body)], 100);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(result.piecesWritten < body.length / 2, `cut long before the end (${result.piecesWritten} pieces, ${result.closedAfterMs} ms)`);
});

test('connections beyond MAX_CONNECTIONS are closed at once; a freed slot serves again', { timeout: 20_000 }, async () => {
  const GET = 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n';
  const held = await holdServedConnections(port, LIMITS.maxConnections, GET);
  try {
    assert.equal(await connectionServed(port, GET), false, 'one connection too many is closed unanswered');
    held.pop()?.destroy();
    assert.equal(await servedWithin(port, GET), true, 'a slot freed by a closed connection is used again');
  } finally {
    for (const socket of held) socket.destroy();
  }
});
