import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { freePort } from '../testing/redis-server.js';

let echo: TestUpstream;
let slow: TestUpstream;
let upload: TestUpstream;
let gateway: TestGateway;
let closedPort: number;
/** Set by the upload upstream when the first body chunk arrives. */
let firstChunkSeen: (() => void) | undefined;
let uploadDigest: Promise<{ bytes: number; sha256: string }> | undefined;

before(async () => {
  echo = await startUpstream();
  slow = await startUpstream((req, res) => {
    req.resume();
    const timer = setTimeout(() => res.end('late'), 5_000);
    res.on('close', () => clearTimeout(timer));
  });
  upload = await startUpstream((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    uploadDigest = new Promise((resolve) => {
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstChunkSeen?.();
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        const digest = { bytes, sha256: hash.digest('hex') };
        resolve(digest);
        res.end(JSON.stringify(digest));
      });
    });
  });
  closedPort = await freePort();
  gateway = await startTestGateway(
    {
      services: [
        { name: 'echo', url: `${echo.url}/base` },
        { name: 'slow', url: slow.url, timeoutMs: 300 },
        { name: 'upload', url: upload.url },
        { name: 'down', url: `http://127.0.0.1:${closedPort}`, connectTimeoutMs: 500, retries: 2 },
      ],
      routes: [
        { name: 'public', service: 'echo', paths: ['/public/*'] },
        { name: 'admin', service: 'echo', paths: ['/admin/*'], auth: 'key-auth' },
        { name: 'stripped', service: 'echo', paths: ['/api/v1/*'], stripPrefix: true },
        { name: 'slow', service: 'slow', paths: ['/slow'] },
        { name: 'upload', service: 'upload', paths: ['/upload'], methods: ['POST'] },
        { name: 'down', service: 'down', paths: ['/down'] },
      ],
    },
    { maxBodyBytes: 60 * 1024 * 1024, trustedProxies: '10.0.0.0/8' },
  );
});

after(async () => {
  await gateway.close();
  await Promise.all([echo.close(), slow.close(), upload.close()]);
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that the path goes out exactly as written (fetch would normalise it). */
async function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path, method, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

const upstreamView = (reply: Reply) => JSON.parse(reply.body) as { url: string; headers: Record<string, string> };

test('the upstream receives the normalised path under its base path, with the query', { timeout: 60_000 }, async () => {
  const reply = await raw('/public/a/./b/../c//d?x=1&y=2');
  assert.equal(reply.status, 200);
  assert.equal(upstreamView(reply).url, '/base/public/a/c/d?x=1&y=2');
});

test('/public/../admin never reaches the public route: it is matched as /admin and needs its key', { timeout: 60_000 }, async () => {
  const before = echo.received.length;
  for (const path of ['/public/../admin/users', '/public/%2e%2e/admin/users', '/public/./../admin/users']) {
    const reply = await raw(path);
    assert.equal(reply.status, 401, path);
  }
  assert.equal(echo.received.length, before);
});

test('%2F and %5C in a path, and climbing above the root, answer 400 JSON with the request id', { timeout: 60_000 }, async () => {
  const before = echo.received.length;
  for (const path of ['/public/a%2Fb', '/public/a%2fb', '/public/a%5Cb', '/public/../../etc/passwd']) {
    const reply = await raw(path);
    assert.equal(reply.status, 400, path);
    const body = JSON.parse(reply.body) as { error: { code: string; requestId: string } };
    assert.equal(body.error.code, 'bad_path');
    assert.equal(body.error.requestId, reply.headers['x-request-id']);
  }
  assert.equal(echo.received.length, before);
});

test('no match is a 404 JSON naming the request id', { timeout: 60_000 }, async () => {
  const reply = await raw('/nowhere', { 'x-request-id': 'abc-123' });
  assert.equal(reply.status, 404);
  assert.deepEqual(JSON.parse(reply.body), {
    error: { code: 'route_not_found', message: 'no route matches this request', requestId: 'abc-123' },
  });
});

test('stripPrefix removes the matched prefix before the service base path is added', { timeout: 60_000 }, async () => {
  const reply = await raw('/api/v1/users/7?q=1');
  assert.equal(upstreamView(reply).url, '/base/users/7?q=1');
});

test('X-Request-ID: a well-formed one is kept both ways, a malformed one is replaced', { timeout: 60_000 }, async () => {
  const kept = await raw('/public/x', { 'x-request-id': 'req.1_2-3' });
  assert.equal(kept.headers['x-request-id'], 'req.1_2-3');
  assert.equal(upstreamView(kept).headers['x-request-id'], 'req.1_2-3');
  const replaced = await raw('/public/x', { 'x-request-id': 'bad id with spaces' });
  const id = replaced.headers['x-request-id'] as string;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(upstreamView(replaced).headers['x-request-id'], id);
});

test('hop-by-hop headers and what Connection names are removed; X-Forwarded-* are overwritten for an untrusted peer', { timeout: 60_000 }, async () => {
  const reply = await raw('/public/x', {
    connection: 'keep-alive, x-secret-hop',
    'x-secret-hop': '1',
    'keep-alive': 'timeout=5',
    te: 'trailers',
    'proxy-authorization': 'Basic abc',
    upgrade: 'h2c',
    'x-forwarded-for': '6.6.6.6',
    'x-forwarded-host': 'evil.test',
    'x-forwarded-proto': 'https',
    'x-kept': 'yes',
  });
  const seen = upstreamView(reply).headers;
  for (const name of ['x-secret-hop', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) assert.equal(seen[name], undefined, name);
  assert.equal(seen['x-kept'], 'yes');
  assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-host'], `127.0.0.1:${gateway.port}`);
});

test('a response timeout answers 504 JSON and a refused connection 502 JSON', { timeout: 60_000 }, async () => {
  const timedOut = await raw('/slow');
  assert.equal(timedOut.status, 504);
  assert.equal((JSON.parse(timedOut.body) as { error: { code: string } }).error.code, 'upstream_timeout');
  const refused = await raw('/down');
  assert.equal(refused.status, 502);
  assert.equal((JSON.parse(refused.body) as { error: { code: string; requestId: string } }).error.requestId, refused.headers['x-request-id']);
});

test('a request body over the limit is refused with 413 before it reaches the upstream', { timeout: 60_000 }, async () => {
  const before = upload.received.length;
  const reply = await raw('/upload', { 'content-length': String(61 * 1024 * 1024) }, 'POST');
  assert.equal(reply.status, 413);
  assert.equal(upload.received.length, before);
});

test('a 50 MB upload streams through: the upstream sees the first bytes before the client has sent the rest, intact', { timeout: 60_000 }, async () => {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  const total = 50;
  const firstChunkArrived = new Promise<void>((resolve) => (firstChunkSeen = resolve));
  const req = httpRequest({
    host: '127.0.0.1',
    port: gateway.port,
    path: '/upload',
    method: 'POST',
    headers: { 'content-length': String(total * chunk.length) },
  });
  const responded = once(req, 'response');
  req.write(chunk);
  // The client holds the other 49 MB back until the upstream proves it got the first one: no buffering proxy could pass.
  await firstChunkArrived;
  const expected = createHash('sha256');
  expected.update(chunk);
  for (let i = 1; i < total; i++) {
    expected.update(chunk);
    if (!req.write(chunk)) await once(req, 'drain');
  }
  req.end();
  const [res] = (await responded) as [import('node:http').IncomingMessage];
  let body = '';
  for await (const part of res) body += String(part);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(JSON.parse(body), { bytes: total * chunk.length, sha256: expected.digest('hex') });
  assert.deepEqual(await uploadDigest, JSON.parse(body));
});

test('a GET is not retried once bytes reached the upstream, even with retries configured', { timeout: 60_000 }, async () => {
  let connections = 0;
  const breaker = createServer((socket) => {
    connections++;
    socket.once('data', () => socket.destroy());
  });
  breaker.listen(0, '127.0.0.1');
  await once(breaker, 'listening');
  const port = (breaker.address() as { port: number }).port;
  const second = await startTestGateway({
    services: [{ name: 'breaker', url: `http://127.0.0.1:${port}`, retries: 3 }],
    routes: [{ name: 'breaker', service: 'breaker', paths: ['/*'] }],
  });
  try {
    const response = await fetch(`${second.url}/x`);
    assert.equal(response.status, 502);
    assert.equal(connections, 1);
  } finally {
    await second.close();
    breaker.close();
  }
});

test('a client that leaves before the upstream answers is logged as 499 and the gateway goes on serving', { timeout: 30_000 }, async () => {
  let answered!: () => void;
  const upstreamAnswered = new Promise<void>((resolve) => (answered = resolve));
  const delayed = await startUpstream((req, res) => {
    req.resume();
    setTimeout(() => {
      res.end('late answer');
      answered();
    }, 300);
  });
  const second = await startTestGateway({
    services: [{ name: 'delayed', url: delayed.url }],
    routes: [{ name: 'delayed', service: 'delayed', paths: ['/*'] }],
  });
  try {
    const req = httpRequest({ host: '127.0.0.1', port: second.port, path: '/leaving' });
    req.on('error', () => undefined);
    req.end();
    // Leave only once the request is at the upstream, which answers 300 ms after receiving it.
    for (let i = 0; i < 200 && delayed.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    req.destroy();
    await upstreamAnswered;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await fetch(`${second.url}/staying`);
    assert.equal(after.status, 200);
    assert.equal(await after.text(), 'late answer');
    const statuses = second
      .logLines()
      .map((line) => JSON.parse(line) as { msg: string; status?: number })
      .filter((entry) => entry.msg === 'request')
      .map((entry) => entry.status);
    assert.deepEqual(statuses, [499, 200]);
  } finally {
    await second.close();
    await delayed.close();
  }
});

test('a large response streams back intact to a slow reader (backpressure, no buffering of the whole body)', { timeout: 60_000 }, async () => {
  const chunk = Buffer.alloc(1024 * 1024, 3);
  const big = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const pump = () => {
      while (sent < 20) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const second = await startTestGateway({
    services: [{ name: 'big', url: big.url }],
    routes: [{ name: 'big', service: 'big', paths: ['/*'] }],
  });
  try {
    const req = httpRequest({ host: '127.0.0.1', port: second.port, path: '/file' });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const part of res) {
      hash.update(part as Buffer);
      bytes += (part as Buffer).length;
      if (bytes < 4 * chunk.length) await new Promise((resolve) => setTimeout(resolve, 5)); // read slowly at first
    }
    const expected = createHash('sha256');
    for (let i = 0; i < 20; i++) expected.update(chunk);
    assert.equal(bytes, 20 * chunk.length);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  } finally {
    await second.close();
    await big.close();
  }
});

test('a client that leaves in the middle of a response makes the gateway drop the upstream response too', { timeout: 30_000 }, async () => {
  let upstreamClosed!: (finished: boolean) => void;
  const closed = new Promise<boolean>((resolve) => (upstreamClosed = resolve));
  const endless = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024, 1)), 5);
    res.on('close', () => {
      clearInterval(timer);
      upstreamClosed(res.writableFinished);
    });
  });
  const second = await startTestGateway({
    services: [{ name: 'endless', url: endless.url }],
    routes: [{ name: 'endless', service: 'endless', paths: ['/*'] }],
  });
  try {
    const req = httpRequest({ host: '127.0.0.1', port: second.port, path: '/stream' });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    await once(res, 'data');
    req.destroy();
    assert.equal(await closed, false, 'the upstream response was cut before it finished');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = second.logLines().map((l) => JSON.parse(l) as { msg: string; route?: string; status?: number }).find((l) => l.msg === 'request' && l.route === 'endless');
    assert.equal(line?.status, 200);
  } finally {
    await second.close();
    await endless.close();
  }
});
