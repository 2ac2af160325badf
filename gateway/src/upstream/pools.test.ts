// Upstream pools end to end: a real gateway in process in front of real upstream servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { freePort } from '../testing/redis-server.js';

async function get(gateway: TestGateway, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: { code?: string } } }> {
  const response = await fetch(`${gateway.url}${path}`, { headers });
  const text = await response.text();
  let body = {};
  try {
    body = JSON.parse(text) as object;
  } catch {
    // not JSON: the body does not matter
  }
  return { status: response.status, body };
}

/** An upstream that answers `status()` (200 echo by default) and counts what it got. */
async function statusUpstream(status: () => number): Promise<TestUpstream> {
  return startUpstream((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const code = status();
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ headers: req.headers }));
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

const routes = [{ name: 'r', service: 'svc', paths: ['/*'] }];

test('round-robin over 3 real upstreams: each gets 100 ± 20% of 300 requests', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({ services: [{ name: 'svc', targets: upstreams.map((u) => ({ url: u.url })) }], routes });
  try {
    for (let i = 0; i < 300; i++) assert.equal((await get(gateway, '/x')).status, 200);
    for (const upstream of upstreams) assert.ok(Math.abs(upstream.received.length - 100) <= 20, `got ${upstream.received.length}`);
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('weights split traffic by their ratio and a weight-0 target gets none', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({
    services: [{ name: 'svc', targets: [{ url: upstreams[0]!.url, weight: 3 }, { url: upstreams[1]!.url, weight: 1 }, { url: upstreams[2]!.url, weight: 0 }] }],
    routes,
  });
  try {
    for (let i = 0; i < 100; i++) await get(gateway, '/x');
    assert.deepEqual(upstreams.map((u) => u.received.length), [75, 25, 0]);
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('targets: [] answers 503 no_healthy_upstream', async () => {
  const gateway = await startTestGateway({ services: [{ name: 'svc', targets: [] }], routes });
  try {
    const answer = await get(gateway, '/x');
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error?.code, 'no_healthy_upstream');
  } finally {
    await gateway.close();
  }
});

test('passive health: a target answering 503 is ejected after consecutiveFailures, and comes back after ejectionMs', async () => {
  let failing = true;
  const good = await Promise.all([startUpstream(), startUpstream()]);
  const bad = await statusUpstream(() => (failing ? 503 : 200));
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        retries: 0,
        targets: [...good, bad].map((u) => ({ url: u.url })),
        healthChecks: { passive: { consecutiveFailures: 2, ejectionMs: 1_000, maxEjectionPercent: 50 } },
      },
    ],
    routes,
  });
  try {
    let failures = 0;
    for (let i = 0; i < 30; i++) if ((await get(gateway, '/x')).status === 503) failures++;
    assert.equal(failures, 2, 'exactly the passive threshold of requests failed');
    assert.equal(bad.received.length, 2);
    const metrics = await gateway.metrics.registry.metrics();
    assert.match(metrics, new RegExp(`novagate_upstream_target_healthy\\{service="svc",target="127.0.0.1:${bad.port}"\\} 0`));
    assert.match(metrics, new RegExp(`novagate_upstream_target_healthy\\{service="svc",target="127.0.0.1:${good[0]!.port}"\\} 1`));
    failing = false;
    await sleep(1_100);
    for (let i = 0; i < 30; i++) assert.equal((await get(gateway, '/x')).status, 200);
    assert.equal(bad.received.length, 12, 'back in rotation: a third of the traffic');
  } finally {
    await gateway.close();
    await Promise.all([...good, bad].map((u) => u.close()));
  }
});

test('maxEjectionPercent: with both targets failing and 50%, only one is ejected', async () => {
  const bad = await Promise.all([statusUpstream(() => 502), statusUpstream(() => 502)]);
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        retries: 0,
        targets: bad.map((u) => ({ url: u.url })),
        healthChecks: { passive: { consecutiveFailures: 1, ejectionMs: 60_000, maxEjectionPercent: 50 } },
      },
    ],
    routes,
  });
  try {
    for (let i = 0; i < 20; i++) assert.equal((await get(gateway, '/x')).status, 502);
    const entries = gateway.store.current()!.services.get('svc')!.pool.current();
    assert.equal(entries.filter((entry) => !entry.available).length, 1);
  } finally {
    await gateway.close();
    await Promise.all(bad.map((u) => u.close()));
  }
});

test('when every target is ejected the gateway answers 503 no_healthy_upstream', async () => {
  const closedPort = await freePort();
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        retries: 0,
        url: `http://127.0.0.1:${closedPort}`,
        healthChecks: { passive: { consecutiveFailures: 2, ejectionMs: 60_000, maxEjectionPercent: 100 } },
      },
    ],
    routes,
  });
  try {
    assert.equal((await get(gateway, '/x')).status, 502);
    assert.equal((await get(gateway, '/x')).status, 502);
    const answer = await get(gateway, '/x');
    assert.equal(answer.status, 503);
    assert.equal(answer.body.error?.code, 'no_healthy_upstream');
  } finally {
    await gateway.close();
  }
});

test('a retry goes to another target than the one whose connection failed', async () => {
  const closedPort = await freePort();
  const good = await startUpstream();
  const gateway = await startTestGateway({
    services: [{ name: 'svc', retries: 1, targets: [{ url: `http://127.0.0.1:${closedPort}` }, { url: good.url }] }],
    routes,
  });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await get(gateway, '/x')).status, 200);
    assert.equal(good.received.length, 10);
  } finally {
    await gateway.close();
    await good.close();
  }
});

test('active health: a failing probe takes a target out; it is back within healthyThreshold × intervalMs + timeoutMs', async () => {
  let healthy = true;
  const other = await startUpstream();
  const probed = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(req.url === '/healthz' && !healthy ? 500 : 200);
    res.end('{}');
  });
  const active = { path: '/healthz', intervalMs: 1_000, timeoutMs: 200, healthyThreshold: 1, unhealthyThreshold: 1 };
  const gateway = await startTestGateway({
    services: [{ name: 'svc', targets: [{ url: probed.url }, { url: other.url }], healthChecks: { active } }],
    routes,
  });
  const target = () => gateway.store.current()!.services.get('svc')!.pool.current()[0]!;
  try {
    healthy = false;
    await until(() => !target().available, 2 * active.intervalMs + active.timeoutMs + 500);
    const before = probed.received.filter((r) => r.url !== '/healthz').length;
    for (let i = 0; i < 10; i++) assert.equal((await get(gateway, '/x')).status, 200);
    assert.equal(probed.received.filter((r) => r.url !== '/healthz').length, before, 'no traffic while unhealthy');
    assert.equal(probed.received.find((r) => r.url === '/healthz')?.headers['user-agent'], 'novagate-health-check');
    healthy = true;
    const started = Date.now();
    await until(() => target().available, 5_000);
    const tookMs = Date.now() - started;
    // Scheduling slack of 250 ms on top of the bound.
    assert.ok(tookMs <= active.healthyThreshold * active.intervalMs + active.timeoutMs + 250, `back after ${tookMs} ms`);
  } finally {
    await gateway.close();
    await Promise.all([probed.close(), other.close()]);
  }
});

test('probes stop when the config drops the service', async () => {
  const probed = await startUpstream();
  const active = { path: '/healthz', intervalMs: 1_000, timeoutMs: 200 };
  const gateway = await startTestGateway({ services: [{ name: 'svc', url: probed.url, healthChecks: { active } }], routes });
  try {
    await until(() => probed.received.length >= 1, 2_500);
    assert.equal((await gateway.store.apply({ services: [{ name: 'other', url: probed.url }], routes: [{ name: 'r', service: 'other', paths: ['/*'] }] })).ok, true);
    const seen = probed.received.length;
    await sleep(2_200);
    assert.equal(probed.received.length, seen);
  } finally {
    await gateway.close();
    await probed.close();
  }
});

test('circuit breaker: past maxConnections + maxPendingRequests in flight, a fast 503 upstream_overloaded', async () => {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream((req, res) => {
    req.resume();
    held.push(res);
  });
  const gateway = await startTestGateway({ services: [{ name: 'svc', url: upstream.url, circuitBreaker: { maxConnections: 1, maxPendingRequests: 1 } }], routes });
  try {
    const first = get(gateway, '/1');
    const second = get(gateway, '/2');
    await until(() => held.length === 1, 2_000);
    await sleep(50);
    const third = await get(gateway, '/3');
    assert.equal(third.status, 503);
    assert.equal(third.body.error?.code, 'upstream_overloaded');
    assert.equal(upstream.received.length, 1, 'one connection: the second request waits in the pool');
    const breaker = { maxConnections: 1, maxPendingRequests: 1 };
    assert.equal((await gateway.store.apply({ services: [{ name: 'svc', url: upstream.url, timeoutMs: 9_000, circuitBreaker: breaker }], routes })).ok, true);
    assert.equal((await get(gateway, '/4')).body.error?.code, 'upstream_overloaded', 'requests in flight still count after a config change');
    for (const res of held.splice(0)) res.end('{}');
    await until(() => held.length === 1, 2_000);
    for (const res of held.splice(0)) res.end('{}');
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
  } finally {
    await gateway.close();
    await upstream.close();
  }
});

test('a host name resolving to 2 addresses is 2 targets, each sent the configured Host', async () => {
  const seen: { address: string; host: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ address: req.socket.localAddress ?? '', host: req.headers.host ?? '' });
    res.end('{}');
  });
  server.listen({ port: 0, host: '::', ipv6Only: false });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const gateway = await startTestGateway(
    { services: [{ name: 'svc', url: `http://upstream.test:${port}` }], routes },
    { resolver: async (name) => (name === 'upstream.test' ? ['127.0.0.1', '::1'] : Promise.reject(new Error('unknown'))) },
  );
  try {
    await gateway.store.current()!.services.get('svc')!.pool.resolved;
    const entries = gateway.store.current()!.services.get('svc')!.pool.current();
    assert.deepEqual(entries.map((entry) => entry.hostHeader), [`upstream.test:${port}`, `upstream.test:${port}`]);
    for (let i = 0; i < 10; i++) assert.equal((await get(gateway, '/x')).status, 200);
    assert.deepEqual(new Set(seen.map((s) => s.host)), new Set([`upstream.test:${port}`]));
    const byAddress = new Map<string, number>();
    for (const { address } of seen) byAddress.set(address.replace(/^::ffff:/, ''), (byAddress.get(address.replace(/^::ffff:/, '')) ?? 0) + 1);
    assert.deepEqual([...byAddress.entries()].sort(), [['127.0.0.1', 5], ['::1', 5]]);
    const metrics = await gateway.metrics.registry.metrics();
    assert.match(metrics, new RegExp(`novagate_upstream_target_healthy\\{service="svc",target="upstream.test:${port}"\\} 1`), 'one series per configured target');
  } finally {
    await gateway.close();
    server.close();
  }
});

test('consistent-hash on a header: the same key always reaches the same upstream; a huge key is still served', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({
    services: [{ name: 'svc', targets: upstreams.map((u) => ({ url: u.url })), loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } } }],
    routes,
  });
  try {
    for (let i = 0; i < 5; i++) await get(gateway, '/x', { 'x-user': 'ada' });
    assert.deepEqual(upstreams.map((u) => u.received.length).sort(), [0, 0, 5]);
    assert.equal((await get(gateway, '/x', { 'x-user': 'k'.repeat(15_000) })).status, 200);
    assert.equal((await get(gateway, '/x', { cookie: ';;==; =;' })).status, 200, 'no key: round-robin');
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('consistent-hash end to end: when a target leaves, only the keys it served move', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream(), startUpstream()]);
  const config = (list: TestUpstream[]) => ({
    services: [{ name: 'svc', targets: list.map((u) => ({ url: u.url })), loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } } }],
    routes,
  });
  const gateway = await startTestGateway(config(upstreams));
  const placement = async (): Promise<number[]> => {
    const where: number[] = [];
    for (let key = 0; key < 200; key++) {
      const counts = upstreams.map((u) => u.received.length);
      assert.equal((await get(gateway, '/x', { 'x-user': `user-${key}` })).status, 200);
      where.push(upstreams.findIndex((u, index) => u.received.length > counts[index]!));
    }
    return where;
  };
  try {
    const before = await placement();
    assert.ok(before.filter((index) => index === 3).length > 20, 'the leaving target had its share of keys');
    assert.equal((await gateway.store.apply(config(upstreams.slice(0, 3)))).ok, true);
    const after = await placement();
    const moved = before.filter((index, key) => after[key] !== index);
    assert.ok(moved.length > 0);
    assert.ok(moved.every((index) => index === 3), 'only keys of the removed target moved');
    assert.equal(moved.length, before.filter((index) => index === 3).length, 'every key of the removed target moved');
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('a target removed by a new config loses its metric series and its connection is closed; an unchanged one keeps its connections', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream()]);
  const config = (urls: string[]) => ({ services: [{ name: 'svc', targets: urls.map((url) => ({ url })) }], routes });
  const gateway = await startTestGateway(config(upstreams.map((u) => u.url)));
  try {
    for (let i = 0; i < 4; i++) assert.equal((await get(gateway, '/x')).status, 200);
    const [before, removed] = gateway.store.current()!.services.get('svc')!.pool.current().map((entry) => entry.connection);
    assert.equal((await gateway.store.apply(config([upstreams[0]!.url]))).ok, true);
    const after = gateway.store.current()!.services.get('svc')!.pool.current()[0]!.connection;
    assert.equal(after, before);
    assert.equal(before!.released, false);
    assert.equal(removed!.released, true, "the removed target's connections are let go");
    const open = (upstream: TestUpstream) => new Promise<number>((resolve) => upstream.server.getConnections((_error, count) => resolve(count)));
    const deadline = Date.now() + 2_000;
    while ((await open(upstreams[1]!)) > 0) {
      assert.ok(Date.now() < deadline, "the removed target's connection is closed");
      await sleep(10);
    }
    assert.ok((await open(upstreams[0]!)) > 0, 'the unchanged target keeps its open connection');
    const metrics = await gateway.metrics.registry.metrics();
    assert.match(metrics, new RegExp(`target="127.0.0.1:${upstreams[0]!.port}"`));
    assert.doesNotMatch(metrics, new RegExp(`target="127.0.0.1:${upstreams[1]!.port}"`));
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('http2 services balance over their targets, each on its own session, and are probed over it', async () => {
  const servers = await Promise.all(
    [0, 1].map(async () => {
      const paths: string[] = [];
      const server = createH2Server();
      server.on('stream', (stream, headers) => {
        paths.push(String(headers[':path']));
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end('{}');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return { server, paths, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }),
  );
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        http2: true,
        targets: servers.map((s) => ({ url: s.url })),
        healthChecks: { active: { path: '/healthz', intervalMs: 1_000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 1 } },
      },
    ],
    routes,
  });
  try {
    for (let i = 0; i < 10; i++) assert.equal((await get(gateway, `/r${i}`)).status, 200);
    assert.deepEqual(servers.map((s) => s.paths.filter((p) => p !== '/healthz').length), [5, 5]);
    await until(() => servers.every((s) => s.paths.includes('/healthz')), 2_500);
    assert.ok(gateway.store.current()!.services.get('svc')!.pool.current().every((entry) => entry.available));
  } finally {
    await gateway.close();
    for (const s of servers) s.server.close();
  }
});

test("each target's URL path is its own base path", async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({ services: [{ name: 'svc', targets: [{ url: `${upstreams[0]!.url}/a/` }, { url: `${upstreams[1]!.url}/bee` }] }], routes });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await get(gateway, '/x?q=1')).status, 200);
    assert.deepEqual(upstreams.map((u) => u.received.map((r) => r.url)), [['/a/x?q=1'], ['/bee/x?q=1']]);
  } finally {
    await gateway.close();
    await Promise.all(upstreams.map((u) => u.close()));
  }
});

test('one of three targets killed, without retries: no more failures than the passive threshold, then none', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        retries: 0,
        targets: upstreams.map((u) => ({ url: u.url })),
        healthChecks: { passive: { consecutiveFailures: 3, ejectionMs: 60_000, maxEjectionPercent: 50 } },
      },
    ],
    routes,
  });
  try {
    for (let i = 0; i < 30; i++) assert.equal((await get(gateway, '/x')).status, 200);
    await upstreams[1]!.close();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await get(gateway, '/x')).status);
    const failed = statuses.filter((status) => status !== 200);
    assert.equal(failed.length, 3, `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.lastIndexOf(502) < 12, 'the failures come first, then none');
  } finally {
    await gateway.close();
    await Promise.all([upstreams[0]!.close(), upstreams[2]!.close()]);
  }
});

test('one of three targets killed under concurrent GET load, with retry on connect-failure and reset: no request fails', async () => {
  const upstreams = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const gateway = await startTestGateway({
    services: [
      {
        name: 'svc',
        targets: upstreams.map((u) => ({ url: u.url })),
        healthChecks: { passive: { consecutiveFailures: 3, ejectionMs: 60_000, maxEjectionPercent: 50 } },
      },
    ],
    routes: [{ name: 'r', service: 'svc', paths: ['/*'], retry: { attempts: 2, on: ['connect-failure', 'reset'], backoffMs: 0 } }],
  });
  const statuses: number[] = [];
  let killed = false;
  try {
    // 8 clients in a loop; the second target dies (its open connections reset) while they run.
    const clients = Array.from({ length: 8 }, async () => {
      while (statuses.length < 1_200) statuses.push((await get(gateway, '/x')).status);
    });
    await until(() => statuses.length >= 300, 20_000);
    await upstreams[1]!.close();
    killed = true;
    await Promise.all(clients);
    const failed = statuses.filter((status) => status !== 200);
    assert.equal(failed.length, 0, `failed: ${failed.join(',')}`);
    assert.ok(killed && statuses.length >= 1_200);
  } finally {
    await gateway.close();
    await Promise.all([upstreams[0]!.close(), upstreams[2]!.close()]);
  }
});

test('passive health ejects a hung target: per-try timeouts count as failures over HTTP/1.1 and HTTP/2', async () => {
  const hung: ServerResponse[] = [];
  const h1Good = await startUpstream();
  const h1Hung = await startUpstream((req, res) => {
    req.resume();
    hung.push(res);
  });
  const h2Servers = await Promise.all(
    [false, true].map(async (hangs) => {
      const server = createH2Server();
      let received = 0;
      server.on('stream', (stream) => {
        received++;
        if (hangs) return; // never answers
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end('{}');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return { server, received: () => received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }),
  );
  const passive = { consecutiveFailures: 2, ejectionMs: 60_000, maxEjectionPercent: 50 };
  const gateway = await startTestGateway({
    services: [
      { name: 'h1', retries: 0, timeoutMs: 150, targets: [{ url: h1Good.url }, { url: h1Hung.url }], healthChecks: { passive } },
      { name: 'h2', http2: true, retries: 0, timeoutMs: 150, targets: h2Servers.map((s) => ({ url: s.url })), healthChecks: { passive } },
    ],
    routes: [
      { name: 'r1', service: 'h1', paths: ['/h1/*'] },
      { name: 'r2', service: 'h2', paths: ['/h2/*'] },
    ],
  });
  try {
    for (const protocol of ['h1', 'h2']) {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await get(gateway, `/${protocol}/x`)).status);
      assert.equal(statuses.filter((status) => status === 504).length, 2, `${protocol}: exactly the passive threshold timed out: ${statuses.join(',')}`);
      assert.equal(statuses.filter((status) => status === 200).length, 10);
      const entries = gateway.store.current()!.services.get(protocol)!.pool.current();
      assert.deepEqual(entries.map((entry) => entry.available), [true, false], `${protocol}: the hung target is ejected`);
    }
    assert.equal(hung.length, 2);
    assert.equal(h2Servers[1]!.received(), 2);
  } finally {
    for (const res of hung) res.destroy();
    await gateway.close();
    await h1Good.close();
    await h1Hung.close();
    for (const s of h2Servers) s.server.close();
  }
});

test('a retry in backoff across a config change goes to the new config’s pool, over HTTP/1.1 and HTTP/2', async () => {
  let h1Calls = 0;
  let h2Calls = 0;
  let answered503: () => void = () => undefined;
  const h1 = await startUpstream((req, res) => {
    req.resume();
    const first = h1Calls++ === 0;
    res.writeHead(first ? 503 : 200, { 'content-type': 'application/json' });
    res.end('{}');
    if (first) answered503();
  });
  const h2 = createH2Server();
  h2.on('stream', (stream) => {
    const first = h2Calls++ === 0;
    stream.respond({ ':status': first ? 503 : 200, 'content-type': 'application/json' });
    stream.end('{}');
    if (first) answered503();
  });
  h2.listen(0, '127.0.0.1');
  await once(h2, 'listening');
  const h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  const retry = { attempts: 2, on: ['503'], backoffMs: 400 };
  // connectTimeoutMs is part of a connection's key: the new config opens new connections and the old ones close.
  const config = (connectTimeoutMs: number) => ({
    services: [
      { name: 'h1', url: h1.url, connectTimeoutMs },
      { name: 'h2', url: h2Url, http2: true, connectTimeoutMs },
    ],
    routes: [
      { name: 'r1', service: 'h1', paths: ['/h1/*'], retry },
      { name: 'r2', service: 'h2', paths: ['/h2/*'], retry },
    ],
  });
  const gateway = await startTestGateway(config(1_000));
  try {
    let version = 1_000;
    for (const protocol of ['h1', 'h2']) {
      const decided = new Promise<void>((resolve) => (answered503 = resolve));
      const answer = get(gateway, `/${protocol}/x`);
      await decided;
      version += 1;
      assert.equal((await gateway.store.apply(config(version))).ok, true);
      const { status, body } = await answer;
      assert.equal(status, 200, `${protocol}: the retry is served: ${JSON.stringify(body)}`);
    }
    assert.equal(h1Calls, 2);
    assert.equal(h2Calls, 2);
  } finally {
    await gateway.close();
    await h1.close();
    h2.close();
  }
});

test('probes have a connection of their own: a target whose capped connections are all busy stays healthy', async () => {
  const held: ServerResponse[] = [];
  let h1Probes = 0;
  const h1 = await startUpstream((req, res) => {
    req.resume();
    if (req.url === '/healthz') {
      h1Probes++;
      res.end('{}');
    } else held.push(res);
  });
  const heldStreams: { close: () => void }[] = [];
  let h2Probes = 0;
  // One stream at a time: a probe on the session client requests use would wait behind the held one.
  const h2 = createH2Server({ settings: { maxConcurrentStreams: 1 } });
  h2.on('stream', (stream, headers) => {
    if (headers[':path'] === '/healthz') {
      h2Probes++;
      stream.respond({ ':status': 200 });
      stream.end();
    } else heldStreams.push(stream);
  });
  h2.listen(0, '127.0.0.1');
  await once(h2, 'listening');
  const active = { path: '/healthz', intervalMs: 1_000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 1 };
  const gateway = await startTestGateway({
    services: [
      { name: 'h1', url: h1.url, timeoutMs: 30_000, circuitBreaker: { maxConnections: 1, maxPendingRequests: 10 }, healthChecks: { active } },
      { name: 'h2', url: `http://127.0.0.1:${(h2.address() as AddressInfo).port}`, http2: true, timeoutMs: 30_000, healthChecks: { active } },
    ],
    routes: [
      { name: 'r1', service: 'h1', paths: ['/h1/*'] },
      { name: 'r2', service: 'h2', paths: ['/h2/*'] },
    ],
  });
  const entry = (name: string) => gateway.store.current()!.services.get(name)!.pool.current()[0]!;
  const pending: Promise<unknown>[] = [];
  try {
    pending.push(get(gateway, '/h1/slow').catch(() => undefined), get(gateway, '/h2/slow').catch(() => undefined));
    await until(() => held.length === 1 && heldStreams.length === 1, 2_000);
    const probesBefore = [h1Probes, h2Probes];
    // For each target, either its next probe gets through or it goes unhealthy: whichever comes first decides.
    await until(() => (h1Probes > probesBefore[0]! || !entry('h1').available) && (h2Probes > probesBefore[1]! || !entry('h2').available), 5_000);
    assert.equal(entry('h1').available, true, 'the HTTP/1.1 target stays healthy');
    assert.equal(entry('h2').available, true, 'the HTTP/2 target stays healthy');
  } finally {
    for (const res of held) res.destroy();
    for (const stream of heldStreams) stream.close();
    await Promise.all(pending);
    await gateway.close();
    await h1.close();
    h2.close();
  }
});
