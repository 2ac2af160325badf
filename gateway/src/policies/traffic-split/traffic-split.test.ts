// Traffic split end to end (DESIGN §10 "Backends"): a real gateway in front of real upstreams over sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { startTestGateway, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { freePort } from '../../testing/redis-server.js';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let gateway: TestGateway;
const upstreams: Record<string, TestUpstream> = {};
/** Request ids the flaky upstream has answered 503 once. */
const failedOnce = new Set<string>();

/** An upstream that answers with its own name and what it received. */
function named(name: string) {
  return startUpstream((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ upstream: name, url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
}

before(async () => {
  for (const name of ['a', 'b', 'c']) upstreams[name] = await named(name);
  // Fails each request id's first attempt with 503, answers the second.
  upstreams.flaky = await startUpstream((req, res) => {
    req.resume();
    const id = String(req.headers['x-request-id']);
    if (!failedOnce.has(id)) {
      failedOnce.add(id);
      res.writeHead(503, { 'content-length': '0' });
      return res.end();
    }
    const body = JSON.stringify({ upstream: 'flaky', headers: req.headers });
    res.end(body);
  });
  const closedPort = await freePort();
  gateway = await startTestGateway({
    services: [
      { name: 'svc-a', url: `${upstreams.a?.url}/a-base` },
      { name: 'svc-b', url: upstreams.b?.url },
      { name: 'svc-c', url: upstreams.c?.url },
      { name: 'svc-flaky', url: upstreams.flaky?.url },
      { name: 'svc-dead', url: `http://127.0.0.1:${closedPort}` },
    ],
    routes: [
      { name: 'ninety-ten', paths: ['/ninety/*'], backends: [{ service: 'svc-a', weight: 90 }, { service: 'svc-b', weight: 10 }] },
      { name: 'three-one-zero', paths: ['/three/*'], backends: [{ service: 'svc-a', weight: 3 }, { service: 'svc-b', weight: 1 }, { service: 'svc-c', weight: 0 }] },
      { name: 'half-invalid', paths: ['/half/*'], backends: [{ service: 'svc-a', weight: 1 }, { invalid: true, weight: 1 }] },
      { name: 'all-zero', paths: ['/zero/*'], backends: [{ service: 'svc-a', weight: 0 }, { invalid: true, weight: 0 }] },
      { name: 'only-invalid', paths: ['/invalid/*'], backends: [{ invalid: true }] },
      { name: 'nowhere', paths: ['/nowhere/*'] },
      { name: 'moved', paths: ['/moved/*'], redirect: { hostname: 'example.com', statusCode: 301 } },
      {
        name: 'edited',
        paths: ['/edited/*'],
        requestHeaders: { set: { 'x-backend': 'route', 'x-route': 'yes' } },
        responseHeaders: { set: { 'x-seen': 'route' } },
        backends: [
          { service: 'svc-a', requestHeaders: { set: { 'x-backend': 'a' }, add: { 'x-only-a': '1' } }, responseHeaders: { set: { 'x-seen': 'a' } } },
          { service: 'svc-b', requestHeaders: { remove: ['x-route'] } },
        ],
      },
      { name: 'retried', paths: ['/retried/*'], retry: { attempts: 2, on: ['503'], backoffMs: 0 }, backends: [{ service: 'svc-flaky' }, { service: 'svc-b' }] },
      { name: 'half-dead', paths: ['/half-dead/*'], backends: [{ service: 'svc-dead' }, { service: 'svc-b' }] },
    ],
  });
});

after(async () => {
  agent.destroy();
  await gateway.close();
  for (const upstream of Object.values(upstreams)) await upstream.close();
});

function send(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path, headers, agent });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end();
  });
}

/** `count` requests, 16 at a time; the upstream name (or `status:code`) of each answer, counted. */
async function tally(path: string, count: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const reply = await send(path);
      const key = reply.status === 200 ? (JSON.parse(reply.body) as { upstream: string }).upstream : `${reply.status}:${errorOf(reply).code}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return counts;
}

const errorOf = (reply: Reply) => (reply.body === '' ? { code: '', message: '' } : (JSON.parse(reply.body) as { error: { code: string; message: string } }).error);

/** Whether `seen` of `n` is within 4 standard deviations of a binomial(n, p). */
function withinFourSigma(seen: number, n: number, p: number): boolean {
  return Math.abs(seen - n * p) <= 4 * Math.sqrt(n * p * (1 - p));
}

test('a 90/10 split over 10,000 requests sends each backend its share within 4σ', async () => {
  const counts = await tally('/ninety/x', 10_000);
  const a = counts.get('a') ?? 0;
  const b = counts.get('b') ?? 0;
  assert.equal(a + b, 10_000, JSON.stringify([...counts]));
  assert.ok(withinFourSigma(a, 10_000, 0.9), `a got ${a}`);
  assert.ok(withinFourSigma(b, 10_000, 0.1), `b got ${b}`);
});

test('weights 3:1:0 split 3 to 1 and the weight-0 backend gets nothing', async () => {
  const counts = await tally('/three/x', 4_000);
  assert.ok(withinFourSigma(counts.get('a') ?? 0, 4_000, 0.75), JSON.stringify([...counts]));
  assert.ok(withinFourSigma(counts.get('b') ?? 0, 4_000, 0.25), JSON.stringify([...counts]));
  assert.equal(counts.get('c'), undefined);
  assert.equal(upstreams.c?.received.length, 0);
});

test("an invalid backend's share answers 500 backend_not_found naming the route; the rest reaches the upstream", async () => {
  const counts = await tally('/half/x', 1_000);
  assert.ok(withinFourSigma(counts.get('a') ?? 0, 1_000, 0.5), JSON.stringify([...counts]));
  assert.ok(withinFourSigma(counts.get('500:backend_not_found') ?? 0, 1_000, 0.5), JSON.stringify([...counts]));
  assert.equal((counts.get('a') ?? 0) + (counts.get('500:backend_not_found') ?? 0), 1_000);
  for (let i = 0; i < 4; i++) {
    const reply = await send('/invalid/x');
    assert.equal(reply.status, 500);
    assert.equal(errorOf(reply).code, 'backend_not_found');
    assert.match(errorOf(reply).message, /route 'only-invalid'/);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.match(String(reply.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  }
});

test('all weights 0 answers 500 no_backend, and a route with no service, backends or redirect too', async () => {
  for (const path of ['/zero/x', '/nowhere/x']) {
    const reply = await send(path);
    assert.equal(reply.status, 500, path);
    assert.equal(errorOf(reply).code, 'no_backend');
  }
  assert.match(errorOf(await send('/nowhere/x')).message, /route 'nowhere'/);
  // The gateway is still there and serving.
  assert.equal((await send('/three/x')).status, 200);
});

test('a route with a redirect and no service redirects', async () => {
  const reply = await send('/moved/page?q=1');
  assert.equal(reply.status, 301);
  assert.match(String(reply.headers.location), /^http:\/\/example\.com(:\d+)?\/moved\/page\?q=1$/);
});

test("per-backend header edits apply after the route's and reach only that backend", async () => {
  let sawA = false;
  let sawB = false;
  for (let i = 0; i < 6; i++) {
    const reply = await send('/edited/x');
    assert.equal(reply.status, 200);
    const seen = JSON.parse(reply.body) as { upstream: string; url: string; headers: Record<string, string | undefined> };
    if (seen.upstream === 'a') {
      sawA = true;
      assert.equal(seen.headers['x-backend'], 'a');
      assert.equal(seen.headers['x-route'], 'yes');
      assert.equal(seen.headers['x-only-a'], '1');
      assert.equal(seen.url, '/a-base/edited/x');
      assert.equal(reply.headers['x-seen'], 'a');
    } else {
      sawB = true;
      assert.equal(seen.upstream, 'b');
      assert.equal(seen.headers['x-backend'], 'route');
      assert.equal(seen.headers['x-route'], undefined);
      assert.equal(seen.headers['x-only-a'], undefined);
      assert.equal(seen.url, '/edited/x');
      assert.equal(reply.headers['x-seen'], 'route');
    }
  }
  assert.ok(sawA && sawB);
});

test("a retry on a split route stays on the chosen backend's service, counted under that service", async () => {
  const before = upstreams.b?.received.length ?? 0;
  const flakyBefore = upstreams.flaky?.received.length ?? 0;
  // 6 requests: 3 retries, within the retry budget's floor of 3 per second.
  const counts = await tally('/retried/x', 6);
  assert.equal(counts.get('flaky'), 3, JSON.stringify([...counts]));
  assert.equal(counts.get('b'), 3, JSON.stringify([...counts]));
  // Every flaky request was tried there twice; b saw only its own share, no retried request.
  assert.equal((upstreams.flaky?.received.length ?? 0) - flakyBefore, 6);
  assert.equal((upstreams.b?.received.length ?? 0) - before, 3);
  const metrics = await gateway.metrics.registry.metrics();
  assert.match(metrics, /novagate_upstream_retries_total\{service="svc-flaky",outcome="retried"\} 3/);
  assert.doesNotMatch(metrics, /novagate_upstream_retries_total\{service="svc-b"/);
});

test('an upstream failure on a split route is reported with the chosen service', async () => {
  const counts = await tally('/half-dead/x', 10);
  assert.equal(counts.get('502:upstream_unavailable'), 5, JSON.stringify([...counts]));
  const failures = gateway
    .logLines()
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === 'upstream request failed' && entry.route === 'half-dead');
  assert.equal(failures.length, 5);
  assert.ok(failures.every((entry) => entry.service === 'svc-dead' && entry.cause === 'connection_refused'), JSON.stringify(failures[0]));
});
