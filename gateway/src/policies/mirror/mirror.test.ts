// Request mirroring end to end (DESIGN §10 "Mirrors"): a real gateway, a real primary upstream and real mirror
// upstreams (one recording, one that never answers, one that resets), over sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { MAX_MIRROR_BODY_BYTES } from './mirror-copies.js';
import { MAX_MIRRORS_IN_FLIGHT } from './mirror-gate.js';

interface Copy {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let gateway: TestGateway;
let primary: TestUpstream;
let recorder: TestUpstream;
let sampled: TestUpstream;
let stalled: TestUpstream;
let resetting: TestUpstream;
/** Accepts TCP connections and never says a word: a TLS handshake to it never completes. */
let silent: TcpServer;
const silentSockets = new Set<Socket>();
const copies: Copy[] = [];
let sampledCount = 0;
let stalledOpen = 0;
/** Called whenever the recorder got a whole copy. */
let onCopy: (() => void) | undefined;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

before(async () => {
  // Answers with the length and digest of the body it read, and the headers it saw.
  primary = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.end(JSON.stringify({ bytes: body.length, sha256: sha256(body), url: req.url, headers: req.headers }));
    });
  });
  recorder = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      copies.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.end('a mirror answer nobody reads');
      onCopy?.();
    });
  });
  sampled = await startUpstream((req, res) => {
    req.resume();
    sampledCount++;
    res.end();
  });
  // Reads the copy and never answers.
  stalled = await startUpstream((req, res) => {
    stalledOpen++;
    req.resume();
    res.on('close', () => stalledOpen--);
  });
  resetting = await startUpstream((req) => req.socket.destroy());
  silent = createTcpServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  gateway = await startTestGateway({
    services: [
      { name: 'primary', url: primary.url },
      { name: 'recorder', url: `${recorder.url}/shadow` },
      { name: 'sampled', url: sampled.url },
      { name: 'stalled', url: stalled.url, timeoutMs: 3_000 },
      { name: 'resetting', url: resetting.url },
      { name: 'grpc-shadow', url: recorder.url, http2: true },
      // Copies time out long before the connection attempt does: they sit queued in undici meanwhile.
      { name: 'silent', url: `https://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 100, connectTimeoutMs: 2_000 },
    ],
    routes: [
      { name: 'copied', service: 'primary', paths: ['/copied/*'], rewrite: { path: { replacePrefixMatch: '/v2' } }, requestHeaders: { set: { 'x-route': 'copied' } }, mirrors: [{ service: 'recorder' }] },
      { name: 'split-copied', paths: ['/split/*'], backends: [{ service: 'primary' }], mirrors: [{ service: 'recorder' }] },
      {
        name: 'split-secret',
        paths: ['/secret/*'],
        requestHeaders: { set: { 'x-route': 'split-secret' }, remove: ['x-drop-me'] },
        backends: [{ service: 'primary', requestHeaders: { set: { authorization: 'Bearer backend-only', 'x-route': 'backend' }, remove: ['x-client'] } }],
        mirrors: [{ service: 'recorder' }],
      },
      { name: 'half', service: 'primary', paths: ['/half/*'], mirrors: [{ service: 'sampled', percent: 50 }] },
      { name: 'never', service: 'primary', paths: ['/never/*'], mirrors: [{ service: 'sampled', percent: 0 }] },
      { name: 'black-hole', service: 'primary', paths: ['/black-hole/*'], mirrors: [{ service: 'stalled' }, { service: 'resetting' }] },
      { name: 'to-h2', service: 'primary', paths: ['/to-h2/*'], mirrors: [{ service: 'grpc-shadow' }] },
      { name: 'to-silent', service: 'primary', paths: ['/to-silent/*'], mirrors: [{ service: 'silent' }] },
    ],
  });
});

after(async () => {
  await gateway.close();
  for (const upstream of [primary, recorder, sampled, stalled, resetting]) await upstream.close();
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** One request; `chunks` are written one by one without content-length (a chunked body of unknown length). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer; chunks?: Buffer[] } = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(options.body.length) }) };
    const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path, method: options.method ?? 'GET', headers });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
    });
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

/** The next copy the recorder gets, or undefined when none arrives within `ms`. */
function nextCopy(ms = 2_000): Promise<Copy | undefined> {
  const seen = copies.length;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onCopy = undefined;
      resolve(copies[seen]);
    }, ms);
    onCopy = () => {
      clearTimeout(timer);
      onCopy = undefined;
      resolve(copies[seen]);
    };
  });
}

async function mirrored(route: string, service: string, outcome: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const prefix = `novagate_mirror_requests_total{route="${route}",service="${service}",outcome="${outcome}"} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

const inFlight = (service: string) => gateway.store.current()?.mirrorGates.get(service)?.inFlight;

async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

test('the mirror gets a copy: method, rewritten path under its base path, query, headers as sent upstream, X-NovaGate-Mirror: 1, body', async () => {
  const body = Buffer.from('{"hello":"mirror"}');
  const arrived = nextCopy();
  const reply = await send('/copied/orders?id=7', { method: 'POST', headers: { 'content-type': 'application/json', 'x-client': 'c1' }, body });
  assert.equal(reply.status, 200);
  const sent = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
  assert.equal(sent.url, '/v2/orders?id=7');
  assert.equal(sent.headers['x-novagate-mirror'], undefined, 'the primary gets no mirror header');
  const copy = await arrived;
  assert.ok(copy !== undefined, 'no copy arrived');
  assert.equal(copy.method, 'POST');
  assert.equal(copy.url, '/shadow/v2/orders?id=7');
  assert.equal(copy.headers['x-novagate-mirror'], '1');
  assert.equal(copy.headers['x-client'], 'c1');
  assert.equal(copy.headers['x-route'], 'copied');
  assert.equal(copy.headers['x-request-id'], sent.headers['x-request-id']);
  assert.equal(copy.headers['x-forwarded-for'], sent.headers['x-forwarded-for']);
  assert.equal(copy.headers.host, `127.0.0.1:${recorder.port}`);
  assert.deepEqual(copy.body, body);
  assert.equal(await mirrored('copied', 'recorder', 'sent'), 1);
});

test('a split route mirrors too, and a GET without body goes out as one', async () => {
  const arrived = nextCopy();
  assert.equal((await send('/split/list')).status, 200);
  const copy = await arrived;
  assert.equal(copy?.method, 'GET');
  assert.equal(copy?.url, '/shadow/split/list');
  assert.equal(copy?.body.length, 0);
});

test('a chosen backend’s header edits reach its primary only; the copy carries the route’s edits and the client’s headers', async () => {
  const arrived = nextCopy();
  const reply = await send('/secret/x', { headers: { 'x-client': 'c1', 'x-drop-me': 'gone' } });
  assert.equal(reply.status, 200);
  const sent = (JSON.parse(reply.body) as { headers: Record<string, string> }).headers;
  assert.equal(sent.authorization, 'Bearer backend-only');
  assert.equal(sent['x-route'], 'backend');
  assert.equal(sent['x-client'], undefined);
  const copy = await arrived;
  assert.ok(copy !== undefined, 'no copy arrived');
  assert.equal(copy.headers.authorization, undefined, 'a backend’s authorization leaked to the mirror');
  assert.equal(copy.headers['x-route'], 'split-secret');
  assert.equal(copy.headers['x-client'], 'c1', 'a backend’s remove does not apply to the copy');
  assert.equal(copy.headers['x-drop-me'], undefined, 'the route’s remove applies to the copy');
  assert.equal(copy.headers['x-request-id'], sent['x-request-id']);
  assert.equal(copy.headers['x-novagate-mirror'], '1');
});

test('a request that already carries X-NovaGate-Mirror is never mirrored, and the primary never sees the header', async () => {
  const before = copies.length;
  for (const value of ['1', 'spoofed', '']) {
    const reply = await send('/copied/again', { headers: { 'x-novagate-mirror': value } });
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { headers: Record<string, string> }).headers['x-novagate-mirror'], undefined, `value '${value}' reached the primary`);
  }
  // Sent twice (a list) on a route without mirrors: still removed.
  const twice = await new Promise<Record<string, string>>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/never/x' });
    req.setHeader('X-NovaGate-Mirror', ['1', '2']);
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve((JSON.parse(body) as { headers: Record<string, string> }).headers));
    });
    req.end();
  });
  assert.equal(twice['x-novagate-mirror'], undefined);
  await sleep(300);
  assert.equal(copies.length, before);
});

test('a body of 64 KiB + 1 declared by content-length is not mirrored (counted); the primary gets all of it', async () => {
  const before = copies.length;
  const dropped = await mirrored('copied', 'recorder', 'dropped_body');
  const body = Buffer.alloc(MAX_MIRROR_BODY_BYTES + 1, 7);
  const reply = await send('/copied/big', { method: 'PUT', body });
  assert.equal(reply.status, 200);
  assert.equal((JSON.parse(reply.body) as { sha256: string }).sha256, sha256(body));
  assert.equal(await mirrored('copied', 'recorder', 'dropped_body'), dropped + 1);
  await sleep(300);
  assert.equal(copies.length, before);
  assert.equal(inFlight('recorder'), 0);
});

test('a chunked body that ends within 64 KiB is mirrored whole; exactly 64 KiB too', async () => {
  for (const sizes of [[20_000, 20_000, 20_000], [32 * 1024, 32 * 1024]]) {
    const chunks = sizes.map((size, index) => Buffer.alloc(size, index + 1));
    const whole = Buffer.concat(chunks);
    const arrived = nextCopy();
    const reply = await send('/copied/stream', { method: 'POST', chunks });
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { sha256: string }).sha256, sha256(whole));
    const copy = await arrived;
    assert.ok(copy !== undefined, `no copy of ${whole.length} bytes`);
    assert.equal(copy.body.length, whole.length);
    assert.equal(sha256(copy.body), sha256(whole));
    assert.equal(copy.headers['content-length'], String(whole.length));
    assert.equal(copy.headers['transfer-encoding'], undefined);
  }
});

test('a chunked body that grows past 64 KiB is not mirrored (counted), and the primary still gets every byte', async () => {
  const before = copies.length;
  const dropped = await mirrored('copied', 'recorder', 'dropped_body');
  const chunks = [Buffer.alloc(40_000, 1), Buffer.alloc(40_000, 2), Buffer.alloc(200_000, 3)];
  const reply = await send('/copied/stream', { method: 'POST', chunks });
  assert.equal(reply.status, 200);
  assert.equal((JSON.parse(reply.body) as { bytes: number; sha256: string }).sha256, sha256(Buffer.concat(chunks)));
  assert.equal(await mirrored('copied', 'recorder', 'dropped_body'), dropped + 1);
  await sleep(300);
  assert.equal(copies.length, before);
  assert.equal(inFlight('recorder'), 0);
});

test('a client that leaves in the middle of its body gets no copy sent: dropped_body, nothing left in flight', async () => {
  const before = copies.length;
  const dropped = await mirrored('copied', 'recorder', 'dropped_body');
  for (const framing of ['content-length: 5000', 'transfer-encoding: chunked']) {
    const socket = connect(gateway.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const part = framing.startsWith('content-length') ? 'x'.repeat(1_000) : `3e8\r\n${'x'.repeat(1_000)}\r\n`;
    socket.write(`POST /copied/upload HTTP/1.1\r\nhost: gw\r\n${framing}\r\n\r\n${part}`);
    await sleep(100);
    socket.destroy();
  }
  assert.ok(await eventually(() => inFlight('recorder') === 0, 2_000), `in flight ${inFlight('recorder')}`);
  await sleep(300);
  assert.equal(await mirrored('copied', 'recorder', 'dropped_body'), dropped + 2);
  assert.equal(copies.length, before);
});

test('percent 50 mirrors about half of 400 requests (within 4σ); percent 0 none', async () => {
  const before = sampledCount;
  for (let i = 0; i < 400; i++) assert.equal((await send('/half/x')).status, 200);
  for (let i = 0; i < 50; i++) await send('/never/x');
  await eventually(() => inFlight('sampled') === 0, 2_000);
  const got = sampledCount - before;
  assert.ok(Math.abs(got - 200) <= 4 * Math.sqrt(400 * 0.25), `mirrored ${got} of 400`);
  assert.equal(await mirrored('half', 'sampled', 'sent'), got);
  assert.equal(await mirrored('never', 'sampled', 'sent'), 0);
});

test('a flood of 200 with a mirror that never answers and one that resets: primaries all 200 and fast, at most 64 in flight, drops counted, nothing left after', async () => {
  const started = performance.now();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, inFlight('stalled') ?? 0, stalledOpen)), 5);
  sampler.unref();
  const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => send(`/black-hole/${i}`, { method: 'POST', body: Buffer.from(`body ${i}`) })));
  const took = performance.now() - started;
  peak = Math.max(peak, inFlight('stalled') ?? 0, stalledOpen);
  assert.ok(replies.every((reply) => reply.status === 200), JSON.stringify(replies.find((reply) => reply.status !== 200)));
  // The stalled mirror times out after 3 s: a primary that waited for it would take that long.
  assert.ok(took < 2_500, `200 primaries took ${Math.round(took)} ms`);
  assert.ok(Math.max(...replies.map((reply) => reply.ms)) < 2_500);
  assert.ok(peak <= MAX_MIRRORS_IN_FLIGHT, `peak ${peak}`);
  assert.equal(peak, MAX_MIRRORS_IN_FLIGHT);
  const overflow = await mirrored('black-hole', 'stalled', 'dropped_overflow');
  assert.equal(overflow, 200 - MAX_MIRRORS_IN_FLIGHT);
  // Every copy to the resetting mirror failed or was dropped; none counted as sent.
  assert.equal(await mirrored('black-hole', 'resetting', 'sent'), 0);
  assert.ok(await eventually(() => inFlight('resetting') === 0, 2_000));
  const resetFailed = await mirrored('black-hole', 'resetting', 'failed');
  assert.equal(resetFailed + (await mirrored('black-hole', 'resetting', 'dropped_overflow')), 200);
  // The stalled copies time out (timeoutMs 3 s): in flight drops back to 0 and the sockets close.
  assert.ok(await eventually(() => inFlight('stalled') === 0 && stalledOpen === 0, 6_000), `in flight ${inFlight('stalled')}, open ${stalledOpen}`);
  clearInterval(sampler);
  assert.equal(await mirrored('black-hole', 'stalled', 'failed'), MAX_MIRRORS_IN_FLIGHT);
  // With room again, the next copy goes out.
  await send('/black-hole/after');
  assert.equal(inFlight('stalled'), 1);
});

/** Requests undici holds for a service (queued, pending or running), over all its targets' pools. */
function heldByUndici(service: string): number {
  const pool = gateway.store.current()?.services.get(service)?.pool;
  let held = 0;
  for (const connection of pool?.connections() ?? []) held += connection.pool?.stats.size ?? 0;
  return held;
}

test('copies that time out while still queued in undici keep their place: never more than 64 held for a service that never answers', { timeout: 30_000 }, async () => {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, heldByUndici('silent')));
  const sampler = setInterval(sample, 5);
  sampler.unref();
  // Six waves of 64, each after the previous wave's copies timed out (timeoutMs 100) but before the connection
  // attempt they wait for fails (connectTimeoutMs 2 s).
  for (let wave = 0; wave < 6; wave++) {
    const replies = await Promise.all(Array.from({ length: MAX_MIRRORS_IN_FLIGHT }, (_, i) => send(`/to-silent/${wave}/${i}`)));
    assert.ok(replies.every((reply) => reply.status === 200));
    sample();
    await sleep(150);
  }
  sample();
  assert.ok(peak <= MAX_MIRRORS_IN_FLIGHT, `undici held ${peak} copies for the service`);
  assert.ok(peak > 0, 'the copies were queued in undici');
  assert.equal(inFlight('silent'), MAX_MIRRORS_IN_FLIGHT, 'timed-out copies still queued keep their places');
  assert.equal(await mirrored('to-silent', 'silent', 'dropped_overflow'), 5 * MAX_MIRRORS_IN_FLIGHT);
  // The connection attempts fail: undici ends every queued copy, and only then are the places given back.
  assert.ok(await eventually(() => inFlight('silent') === 0 && heldByUndici('silent') === 0, 6_000), `in flight ${inFlight('silent')}, held ${heldByUndici('silent')}`);
  clearInterval(sampler);
  assert.ok(peak <= MAX_MIRRORS_IN_FLIGHT, `undici held ${peak} copies for the service`);
  assert.equal(await mirrored('to-silent', 'silent', 'failed'), MAX_MIRRORS_IN_FLIGHT);
  assert.equal(await mirrored('to-silent', 'silent', 'sent'), 0);
  // With its places back, the next copy goes out.
  await send('/to-silent/after');
  assert.equal(inFlight('silent'), 1);
});

test('a mirror to an http2 service is skipped and counted as dropped_protocol', async () => {
  const before = copies.length;
  assert.equal((await send('/to-h2/x')).status, 200);
  assert.equal(await mirrored('to-h2', 'grpc-shadow', 'dropped_protocol'), 1);
  await sleep(200);
  assert.equal(copies.length, before);
});

test('the mirror series of a service no longer configured are removed, and of a removed route', async () => {
  assert.ok((await mirrored('copied', 'recorder', 'sent')) > 0);
  await gateway.metrics.retainServices(new Set(['primary', 'sampled', 'stalled', 'resetting', 'grpc-shadow']));
  assert.equal(await mirrored('copied', 'recorder', 'sent'), 0);
  assert.ok((await mirrored('half', 'sampled', 'sent')) > 0);
  await gateway.metrics.retainRoutes(new Set(['copied']));
  assert.equal(await mirrored('half', 'sampled', 'sent'), 0);
});
