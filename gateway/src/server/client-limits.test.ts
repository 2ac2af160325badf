import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { connectionServed, openConnection, piecesOf, slowClient } from '../testing/slow-client.js';
import { clientLimitsProblem, DEFAULT_CLIENT_LIMITS, serverTimeoutOptions } from './client-limits.js';

// Small bounds so that the slow clients below are cut in well under a second.
const LIMITS = { headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, requestTimeoutMs: 1_500, maxConnections: 3 };
let upstream: TestUpstream;
let lazyUpstream: TestUpstream;
let waitingUpstream: TestUpstream;
const waitingRequests: { complete: boolean; closed: boolean }[] = [];
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  // Reads nothing of the request body for a second, then all of it: the gateway has to hold the client back.
  lazyUpstream = await startUpstream((req, res) => {
    setTimeout(() => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(String(bytes)));
    }, 1_000);
  });
  // Waits for the whole body, noting whether its request ended or was cut.
  waitingUpstream = await startUpstream((req, res) => {
    const seen = { complete: false, closed: false };
    waitingRequests.push(seen);
    req.resume();
    req.on('end', () => ((seen.complete = true), res.end('whole')));
    req.on('close', () => (seen.closed = true));
  });
  gateway = await startTestGateway(
    {
      services: [
        { name: 'up', url: upstream.url },
        { name: 'waiting', url: waitingUpstream.url },
      ],
      routes: [
        { name: 'echo', service: 'up', paths: ['/echo'] },
        { name: 'waiting', service: 'waiting', paths: ['/waiting'] },
      ],
    },
    { clientLimits: LIMITS },
  );
});
after(async () => {
  await gateway.close();
  await upstream.close();
  await lazyUpstream.close();
  await waitingUpstream.close();
});

const GET = 'GET /echo HTTP/1.1\r\nhost: x\r\n\r\n';

test('headers sent one byte at a time get 408 and the connection closed once HEADERS_TIMEOUT_MS is over', { timeout: 20_000 }, async () => {
  const headers = `GET /echo HTTP/1.1\r\nhost: x\r\n${'x-padding: slowly\r\n'.repeat(20)}\r\n`;
  const result = await slowClient(gateway.port, piecesOf(headers), 50);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(result.piecesWritten < headers.length, 'cut before the headers were complete');
});

test('a connection that never sends a byte is closed with 408 once HEADERS_TIMEOUT_MS is over', { timeout: 20_000 }, async () => {
  const result = await slowClient(gateway.port, [''], 10);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

test('a body that stops arriving gets 408 request_timeout, the connection closed, and the upstream request cut', { timeout: 20_000 }, async () => {
  const result = await slowClient(gateway.port, ['POST /waiting HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n', 'ab'], 10);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(result.answer, /\r\nconnection: close\r\n/i);
  assert.match(result.answer, /"code":"request_timeout","message":"the request body stalled: no byte arrived for 300 ms"/);
  for (let i = 0; i < 100 && waitingRequests.at(-1)?.closed !== true; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(waitingRequests.at(-1), { complete: false, closed: true }, 'the upstream saw its request cut, not left waiting');
});

test('a body trickled faster than the idle bound is still cut at REQUEST_TIMEOUT_MS', { timeout: 20_000 }, async () => {
  // One byte every 100 ms keeps the idle timer happy; 1,000 bytes would take 100 s.
  const body = 'x'.repeat(1_000);
  const result = await slowClient(gateway.port, [`POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`, ...piecesOf(body)], 100);
  assert.match(result.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(result.piecesWritten < body.length / 2, `cut long before the end (${result.piecesWritten} pieces, ${result.closedAfterMs} ms)`);
});

test('a body held back because the upstream reads slowly is not the client stalling: it arrives whole', { timeout: 20_000 }, async () => {
  // The idle bound as above, but room to move 32 MiB after the upstream's one-second pause even on a loaded
  // machine: this test is about the idle timer and backpressure, not about REQUEST_TIMEOUT_MS.
  const patient = await startTestGateway(
    { services: [{ name: 'lazy', url: lazyUpstream.url }], routes: [{ name: 'lazy', service: 'lazy', paths: ['/lazy'] }] },
    { clientLimits: { ...LIMITS, requestTimeoutMs: 15_000 } },
  );
  try {
    const body = Buffer.alloc(32 * 1024 * 1024, 'y');
    const response = await fetch(`${patient.url}/lazy`, { method: 'POST', body, signal: AbortSignal.timeout(15_000) });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), String(body.length));
  } finally {
    await patient.close();
  }
});

test('connections beyond MAX_CONNECTIONS are closed at once; a freed slot serves again', { timeout: 20_000 }, async () => {
  // A gateway of its own, so that no other test's keep-alive connection takes a slot.
  const counted = await startTestGateway({ services: [{ name: 'up', url: upstream.url }], routes: [{ name: 'echo', service: 'up', paths: ['/echo'] }] }, { clientLimits: LIMITS });
  const port = counted.port;
  const held: Socket[] = [];
  try {
    // Keep-alive connections that each served one request, so the server has surely counted them.
    for (let i = 0; i < LIMITS.maxConnections; i++) {
      const socket = await openConnection(port);
      const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.write(GET);
      await answered;
      held.push(socket);
    }
    assert.equal(await connectionServed(port, GET), false, 'one connection too many is closed unanswered');
    assert.ok(counted.logLines().some((line) => line.includes('connections refused: MAX_CONNECTIONS reached')), 'and the gateway says so');
    held.pop()?.destroy();
    let served = false;
    for (let i = 0; i < 50 && !served; i++) {
      served = await connectionServed(port, GET);
      if (!served) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(served, true, 'a slot freed by a closed connection is used again');
  } finally {
    for (const socket of held) socket.destroy();
    await counted.close();
  }
});

test('limits that cannot hold together are named; node checks often enough for small bounds', () => {
  assert.equal(clientLimitsProblem(DEFAULT_CLIENT_LIMITS), undefined);
  assert.match(clientLimitsProblem({ ...DEFAULT_CLIENT_LIMITS, headersTimeoutMs: 70_000 }) ?? '', /HEADERS_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS/);
  assert.match(clientLimitsProblem({ ...DEFAULT_CLIENT_LIMITS, bodyIdleTimeoutMs: 70_000 }) ?? '', /BODY_IDLE_TIMEOUT_MS/);
  assert.deepEqual(serverTimeoutOptions(DEFAULT_CLIENT_LIMITS), { headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 1_000 });
  assert.equal(serverTimeoutOptions(LIMITS).connectionsCheckingInterval, 75);
  assert.equal(serverTimeoutOptions({ ...LIMITS, headersTimeoutMs: 100 }).connectionsCheckingInterval, 50);
});
