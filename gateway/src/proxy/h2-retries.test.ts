// Route retries and timeouts for services with `http2: true` against a real node:http2 (h2c) upstream: a reset
// or REFUSED_STREAM stream and a 503 retried before the response started, POST only when the stream was refused
// unprocessed, requestMs and backendRequestMs as over HTTP/1.1, and the gRPC deadline from the route's timeouts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { constants, createServer, connect as h2Connect, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startListeningGateway, type ListeningGateway } from '../testing/listening-gateway.js';
import { freePort } from '../testing/redis-server.js';

let upstream: Http2Server;
const sessions: ServerHttp2Session[] = [];
/** Streams seen per behaviour (the last path segment), and the headers of the last one. */
const calls = new Map<string, number>();
let lastHeaders: IncomingHttpHeaders = {};
let gateway: ListeningGateway;
let port: number;

before(async () => {
  upstream = createServer();
  upstream.on('session', (session) => sessions.push(session));
  upstream.on('stream', (stream, headers) => {
    lastHeaders = headers;
    const behaviour = String(headers[':path']).split('/').at(-1) as string;
    const call = (calls.get(behaviour) ?? 0) + 1;
    calls.set(behaviour, call);
    const ok = () => {
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => {
        stream.respond({ ':status': 200 });
        stream.end(`try ${call}: ${body}`);
      });
    };
    stream.on('error', () => undefined);
    if (behaviour === 'reset-once' && call === 1) return stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    if (behaviour === 'refuse-once' && call === 1) return stream.close(constants.NGHTTP2_REFUSED_STREAM);
    if ((behaviour === '503-once' && call === 1) || behaviour === '503') {
      stream.resume();
      stream.respond({ ':status': 503 });
      return stream.end('upstream 503');
    }
    if ((behaviour === 'hang-once' && call === 1) || behaviour === 'hang') return stream.resume();
    ok();
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  port = await freePort();
  gateway = await startListeningGateway({
    listeners: [{ name: 'web', port, protocol: 'HTTP', http2: true }],
    services: [{ name: 'h2', url: upstreamUrl, http2: true, timeoutMs: 5_000 }],
    routes: [
      { name: 'retrying', service: 'h2', paths: ['/r/*'], retry: { attempts: 2, on: ['connect-failure', 'reset', '503'], backoffMs: 0 }, timeouts: { backendRequestMs: 200 } },
      { name: 'plain', service: 'h2', paths: ['/p/*'] },
      { name: 'bounded', service: 'h2', paths: ['/b/*'], timeouts: { requestMs: 300, backendRequestMs: 0 } },
      { name: 'grpc-bounded', service: 'h2', paths: ['/g/*'], timeouts: { requestMs: 300 } },
      { name: 'grpc-unbounded', service: 'h2', paths: ['/u/*'], timeouts: { requestMs: 0, backendRequestMs: 0 } },
      { name: 'grpc-streaming', service: 'h2', paths: ['/s/*'], timeouts: { requestMs: 0, backendRequestMs: 100 } },
    ],
  });
});

after(async () => {
  await gateway.close();
  upstream.close();
  for (const session of sessions) session.destroy();
});

async function send(path: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, body });
  return { status: response.status, text: await response.text() };
}

test('an h2 stream the upstream resets is retried on a new stream and answered', { timeout: 15_000 }, async () => {
  calls.clear();
  assert.deepEqual(await send('/r/reset-once'), { status: 200, text: 'try 2: ' });
  assert.equal(calls.get('reset-once'), 2);
});

test('a POST whose stream the upstream refused unprocessed (REFUSED_STREAM) is retried with its body', { timeout: 15_000 }, async () => {
  calls.clear();
  assert.deepEqual(await send('/r/refuse-once', 'POST', 'order=1'), { status: 200, text: 'try 2: order=1' });
});

test('a POST whose stream was reset is not retried: 502', { timeout: 15_000 }, async () => {
  calls.clear();
  const reply = await send('/r/reset-once', 'POST', 'order=2');
  assert.equal(reply.status, 502);
  assert.equal(calls.get('reset-once'), 1);
});

test('an h2 503 is retried for a GET, relayed as is for a POST', { timeout: 15_000 }, async () => {
  calls.clear();
  assert.deepEqual(await send('/r/503-once'), { status: 200, text: 'try 2: ' });
  assert.deepEqual(await send('/r/503', 'POST', 'x'), { status: 503, text: 'upstream 503' });
  assert.equal(calls.get('503'), 1);
});

test('a route without retry uses the service\'s legacy retries: an h2 reset is a 502', { timeout: 15_000 }, async () => {
  calls.clear();
  assert.equal((await send('/p/reset-once')).status, 502);
  assert.equal(calls.get('reset-once'), 1);
});

test('backendRequestMs bounds each h2 try: the hanging first try is given up, the retry answers', { timeout: 15_000 }, async () => {
  calls.clear();
  assert.deepEqual(await send('/r/hang-once'), { status: 200, text: 'try 2: ' });
});

test('requestMs bounds an h2 exchange: 504 upstream_timeout', { timeout: 15_000 }, async () => {
  const reply = await send('/b/hang');
  assert.equal(reply.status, 504);
  assert.equal((JSON.parse(reply.text) as { error: { code: string } }).error.code, 'upstream_timeout');
});

async function grpcCall(path: string, grpcTimeout: string | undefined, waitMs: number): Promise<IncomingHttpHeaders | 'no answer'> {
  const session = h2Connect(`http://127.0.0.1:${port}`);
  try {
    const headers: Record<string, string> = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' };
    if (grpcTimeout !== undefined) headers['grpc-timeout'] = grpcTimeout;
    const stream = session.request(headers);
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    stream.on('error', () => undefined);
    const status = new Promise<IncomingHttpHeaders>((resolve) => {
      stream.on('response', (head: IncomingHttpHeaders) => head['grpc-status'] !== undefined && resolve(head));
      stream.on('trailers', (trailers: IncomingHttpHeaders) => resolve(trailers));
    });
    const timeout = new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), waitMs).unref());
    return await Promise.race([status, timeout]);
  } finally {
    session.destroy();
  }
}

test('a gRPC call is bounded by the route requestMs, which the upstream learns as grpc-timeout', { timeout: 15_000 }, async () => {
  const answer = await grpcCall('/g/hang', '1H', 5_000);
  assert.notEqual(answer, 'no answer');
  assert.equal((answer as IncomingHttpHeaders)['grpc-status'], '4');
  const sent = Number(String(lastHeaders['grpc-timeout']).replace(/m$/, ''));
  assert.ok(sent > 0 && sent <= 300, `grpc-timeout upstream ${String(lastHeaders['grpc-timeout'])}`);
});

test('with requestMs and backendRequestMs 0 a gRPC call is bounded by the client\'s grpc-timeout only', { timeout: 15_000 }, async () => {
  const answer = await grpcCall('/u/hang', '400m', 5_000);
  assert.equal((answer as IncomingHttpHeaders)['grpc-status'], '4');
  const sent = Number(String(lastHeaders['grpc-timeout']).replace(/m$/, ''));
  assert.ok(sent > 300 && sent <= 400, `grpc-timeout upstream ${String(lastHeaders['grpc-timeout'])}`);
  // No deadline at all: the upstream gets no grpc-timeout and the gateway does not end the call.
  assert.equal(await grpcCall('/u/hang', undefined, 700), 'no answer');
  assert.equal(lastHeaders['grpc-timeout'], undefined);
});

test('backendRequestMs does not shorten the grpc-timeout sent upstream: only what is left of the call deadline goes', { timeout: 15_000 }, async () => {
  // The try's bound applies only until the response starts (the gateway enforces it); a server-streaming call
  // may then run to the client's deadline, so the upstream must not be told 100 ms.
  await grpcCall('/s/hang', '2S', 5_000);
  const sent = Number(String(lastHeaders['grpc-timeout']).replace(/m$/, ''));
  assert.ok(sent > 1_000 && sent <= 2_000, `grpc-timeout upstream ${String(lastHeaders['grpc-timeout'])}`);
  await grpcCall('/s/hang', undefined, 5_000);
  assert.equal(lastHeaders['grpc-timeout'], undefined, 'no call deadline: none sent, whatever backendRequestMs');
});
