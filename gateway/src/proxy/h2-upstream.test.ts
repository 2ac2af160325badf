// Services with `http2: true` against a real node:http2 (h2c) upstream: one session per origin reused, a new
// one after GOAWAY, gRPC's `te: trailers` and bounded grpc-timeout sent upstream, the session closed when a
// config drops the service, an HTTP/1.1 client served from an h2 upstream, and a stalled body cut.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { constants, createServer, connect as h2Connect, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startListeningGateway, type ListeningGateway } from '../testing/listening-gateway.js';
import { freePort } from '../testing/redis-server.js';

let upstream: Http2Server;
let upstreamUrl: string;
const sessions: ServerHttp2Session[] = [];
const seen: IncomingHttpHeaders[] = [];
let gateway: ListeningGateway;
let port: number;

function config(withService = true) {
  return {
    listeners: [{ name: 'web', port, protocol: 'HTTP', http2: true }],
    services: withService ? [{ name: 'h2', url: upstreamUrl, http2: true, timeoutMs: 2_000 }] : [],
    routes: withService ? [{ name: 'h2', service: 'h2', paths: ['/*'] }] : [],
  };
}

before(async () => {
  upstream = createServer();
  upstream.on('session', (session) => sessions.push(session));
  upstream.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-upstream': 'h2' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc' }));
    stream.end(`path=${String(headers[':path'])}`);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  port = await freePort();
  gateway = await startListeningGateway(config());
});

after(async () => {
  await gateway.close();
  upstream.close();
  for (const session of sessions) session.destroy();
});

test('an HTTP/1.1 client is served from an h2c upstream; requests share one upstream session', async () => {
  const before = sessions.length;
  for (let i = 0; i < 5; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/item/${i}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-upstream'), 'h2');
    assert.equal(await response.text(), `path=/item/${i}`);
  }
  assert.ok(sessions.length - before <= 1, `one upstream session for five requests (opened ${sessions.length - before})`);
  const last = seen.at(-1) as IncomingHttpHeaders;
  assert.equal(last[':authority'], new URL(upstreamUrl).host);
  assert.equal(last.te, undefined, 'te is not sent for a non-gRPC request');
  assert.ok(typeof last['x-request-id'] === 'string');
});

test('after the upstream sends GOAWAY, the next request opens a new session and succeeds', async () => {
  await (await fetch(`http://127.0.0.1:${port}/warm`)).text();
  const before = sessions.length;
  const current = sessions.at(-1) as ServerHttp2Session;
  current.goaway();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const response = await fetch(`http://127.0.0.1:${port}/after-goaway`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'path=/after-goaway');
  assert.equal(sessions.length, before + 1);
});

test('an h2 client gets the upstream trailers; gRPC requests carry te: trailers and a bounded grpc-timeout upstream', async () => {
  const session = h2Connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/pkg.Svc/Call', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '1H' });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    const [trailers] = (await Promise.all([once(stream, 'trailers'), stream.resume()])) as [[IncomingHttpHeaders], unknown];
    assert.equal(trailers[0]['x-checksum'], 'abc');
    const sent = seen.at(-1) as IncomingHttpHeaders;
    assert.equal(sent.te, 'trailers');
    // What is left of the call's budget when the try starts: the service timeout (2 s), less the ms spent in the gateway.
    const sentMs = Number(/^(\d+)m$/.exec(String(sent['grpc-timeout']))?.[1]);
    assert.ok(sentMs <= 2_000 && sentMs >= 1_900, `capped at the service timeout: ${String(sent['grpc-timeout'])}`);
  } finally {
    session.close();
  }
});

test('a config that drops the service closes its upstream session', async () => {
  await (await fetch(`http://127.0.0.1:${port}/last`)).text();
  const current = sessions.at(-1) as ServerHttp2Session;
  const closed = once(current, 'close');
  const applied = await gateway.apply(config(false));
  assert.ok(applied.ok);
  await closed;
  await gateway.apply(config());
});

test('a non-gRPC response whose body stalls past timeoutMs is cut, and the upstream stream cancelled', { timeout: 10_000 }, async () => {
  const stalled = createServer();
  let cancelled = false;
  stalled.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.write('first part');
    stream.on('close', () => (cancelled = stream.rstCode === constants.NGHTTP2_CANCEL));
  });
  stalled.listen(0, '127.0.0.1');
  await once(stalled, 'listening');
  const stallPort = await freePort();
  const stallGateway = await startListeningGateway({
    listeners: [{ name: 'web', port: stallPort, protocol: 'HTTP' }],
    services: [{ name: 'stall', url: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`, http2: true, timeoutMs: 300 }],
    routes: [{ name: 'stall', service: 'stall', paths: ['/*'] }],
  });
  try {
    const response = await fetch(`http://127.0.0.1:${stallPort}/slow`);
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), 'the body is cut, not ended as if complete');
    const until = Date.now() + 3_000;
    while (!cancelled && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(cancelled, 'the upstream stream was cancelled');
  } finally {
    await stallGateway.close();
    stalled.close();
  }
});
