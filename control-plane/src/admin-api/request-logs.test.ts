import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';

const { server, ready } = withTestServer();
let a: RegisteredTenant;
let b: RegisteredTenant;
let gateway: ProtocolClient;

interface Entry {
  requestId: string;
  status: number;
  route: string;
  time: string;
}
const entry = (requestId: string, time: string, status = 200, route = 'get-user') => ({ requestId, method: 'GET', pathTemplate: '/users/:id', status, latencyMs: 2.5, route, time });

// Fixed times long before the summary's window; a1..a3 share one time to the microsecond.
const T0 = '2026-01-01T00:00:00.000000Z';
const T1 = '2026-01-01T00:00:01.000001Z';
const T2 = '2026-01-01T00:00:02.500000Z';
const history: Entry[] = [entry('a0', T0, 200), entry('a2', T1, 404, 'list-users'), entry('a1', T1, 500), entry('a3', T1, 200), entry('b1', T2, 503, 'list-users')];

function get(tenant: RegisteredTenant, path: string, as: RegisteredTenant = tenant) {
  return server.request('GET', `/api/v1/tenants/${tenant.id}/request-logs${path}`, { token: as.token });
}

async function send(entries: Entry[]): Promise<void> {
  const before = (await get(a, '?limit=1000')).body.data.length as number;
  gateway.send({ type: 'logs', entries });
  for (let i = 0; i < 200; i++) {
    if ((await get(a, '?limit=1000')).body.data.length >= before + entries.length) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the logs did not arrive');
}

const ids = (response: { body: { data: { requestId: string }[] } }) => response.body.data.map((row) => row.requestId);

before(async () => {
  await ready;
  a = await registerTenant(server, 'Logs A');
  b = await registerTenant(server, 'Logs B');
  // The way logs arrive in production: a gateway's `logs` message over its connection.
  gateway = await helloGateway(server.url, a.gatewayApiKey, { nodeId: 'node-logs' });
  await send(history);
});

after(() => gateway.close());

test('GET /request-logs lists newest first, rows sharing a time in one fixed order, with a cursor', async () => {
  const listed = await get(a, '');
  assert.equal(listed.status, 200);
  assert.deepEqual(ids(listed), ['b1', 'a3', 'a2', 'a1', 'a0']);
  assert.equal(typeof listed.body.cursor, 'string');
});

test('GET /request-logs filters by since (inclusive) and until (exclusive) together with status and route', async () => {
  assert.deepEqual(ids(await get(a, `?since=${T1}&until=${T2}`)), ['a3', 'a2', 'a1']);
  assert.deepEqual(ids(await get(a, `?since=${T1}`)), ['b1', 'a3', 'a2', 'a1']);
  assert.deepEqual(ids(await get(a, `?until=${T1}`)), ['a0']);
  assert.deepEqual(ids(await get(a, `?since=${encodeURIComponent('2026-01-01T01:00:01+01:00')}&route=list-users`)), ['b1', 'a2']);
  assert.deepEqual(ids(await get(a, `?since=${T0}&status=500`)), ['a1']);
  assert.deepEqual(ids(await get(a, `?since=${T2}&until=${T2}`)), []);
});

test('the live tail returns only rows after the cursor, oldest first, walking through rows that share a time without loss or repeat', async () => {
  // The cursor of the newest row before T1, then one row per poll.
  let cursor = (await get(a, `?until=${T1}&limit=1`)).body.cursor as string;
  const seen: string[] = [];
  for (let poll = 0; poll < 6; poll++) {
    const page = await get(a, `?after=${cursor}&limit=1`);
    assert.equal(page.status, 200);
    seen.push(...ids(page));
    cursor = page.body.cursor;
  }
  assert.deepEqual(seen, ['a1', 'a2', 'a3', 'b1']);
  // A row stored later at the very time of the cursor's row (a larger request id) still comes, once.
  await send([entry('b2', T2, 502, 'list-users')]);
  const next = await get(a, `?after=${cursor}`);
  assert.deepEqual(ids(next), ['b2']);
  assert.deepEqual(ids(await get(a, `?after=${next.body.cursor}`)), []);
  // Filters apply to the tail as well.
  const start = (await get(a, `?until=${T1}&limit=1`)).body.cursor as string;
  assert.deepEqual(ids(await get(a, `?after=${start}&route=list-users`)), ['a2', 'b1', 'b2']);
});

test('with no row listed, the cursor is the database now: only rows stored with a later time come after it', async () => {
  const empty = await get(b, '');
  assert.deepEqual(empty.body.data, []);
  assert.deepEqual((await get(b, `?after=${empty.body.cursor}`)).body.data, []);
  assert.deepEqual((await get(a, `?after=${(await get(a, '?route=nothing')).body.cursor}`)).body.data, []);
});

test('GET /request-logs answers 400 naming the field for a bad time, window, cursor or unknown parameter', async () => {
  const notOurs = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
  const cases: [string, string][] = [
    ['?since=yesterday', 'since'],
    ['?until=2026-13-01T00:00:00Z', 'until'],
    [`?since=${T2}&until=${T1}`, 'until'],
    ['?after=%25%25', 'after'],
    [`?after=${notOurs}`, 'after'],
    ['?limit=0', 'limit'],
    ['?colour=red', 'colour'],
  ];
  for (const [query, field] of cases) {
    const response = await get(a, query);
    assert.equal(response.status, 400, query);
    assert.equal(response.body.error.code, 'validation_failed', query);
    const paths = (response.body.error.details as { path: string; message: string }[]).map((detail) => `${detail.path} ${detail.message}`);
    assert.ok(paths.some((path) => path.startsWith(field) || path.includes(field)), `${query}: ${paths.join('; ')}`);
  }
});

test('GET /request-logs/summary counts requests, 4xx and 5xx per minute of the last hour (zeros included), totals and the routes with most 5xx', async () => {
  const minuteAgo = (minutes: number, second = 7) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000 + second * 1000).toISOString();
  const recent: Entry[] = [
    ...[0, 1, 2].map((i) => entry(`r5-${i}`, minuteAgo(5), 200, 'orders')),
    entry('r5-err', minuteAgo(5, 30), 503, 'orders'),
    entry('r10-4a', minuteAgo(10), 404, 'users'),
    entry('r10-4b', minuteAgo(10), 429, 'users'),
    entry('r10-5a', minuteAgo(10, 20), 500, 'users'),
    entry('r10-5b', minuteAgo(10, 40), 500, 'users'),
    entry('r10-c', minuteAgo(10, 50), 502, 'carts'),
    entry('r30', minuteAgo(30), 200, 'healthz'),
    entry('old', minuteAgo(125), 500, 'old-route'),
  ];
  await send(recent);
  const summary = await get(a, '/summary');
  assert.equal(summary.status, 200);
  const body = summary.body as {
    from: string;
    to: string;
    minutes: number;
    buckets: { start: string; requests: number; clientErrors: number; serverErrors: number }[];
    totals: { requests: number; clientErrors: number; serverErrors: number };
    topErrorRoutes: { route: string | null; requests: number; serverErrors: number }[];
  };
  assert.equal(body.minutes, 60);
  assert.equal(body.buckets.length, 60);
  assert.equal(body.buckets[0]!.start, body.from);
  assert.equal(Date.parse(body.to) - Date.parse(body.from), 60 * 60_000);
  body.buckets.forEach((bucket, i) => assert.equal(Date.parse(bucket.start), Date.parse(body.from) + i * 60_000));
  // Each seeded row in the window is counted in the bucket of its minute; every other bucket is zero.
  const expected = new Map<string, { requests: number; clientErrors: number; serverErrors: number }>();
  for (const row of recent.filter((r) => Date.parse(r.time) >= Date.parse(body.from))) {
    const start = new Date(Math.floor(Date.parse(row.time) / 60_000) * 60_000).toISOString();
    const counts = expected.get(start) ?? { requests: 0, clientErrors: 0, serverErrors: 0 };
    counts.requests++;
    if (row.status >= 400 && row.status < 500) counts.clientErrors++;
    if (row.status >= 500) counts.serverErrors++;
    expected.set(start, counts);
  }
  for (const bucket of body.buckets) {
    const { start, ...counts } = bucket;
    assert.deepEqual(counts, expected.get(start) ?? { requests: 0, clientErrors: 0, serverErrors: 0 }, start);
  }
  assert.deepEqual(body.totals, { requests: 10, clientErrors: 2, serverErrors: 4 });
  assert.deepEqual(
    body.topErrorRoutes.map((route) => [route.route, route.serverErrors, route.requests]),
    [['users', 2, 4], ['orders', 1, 4], ['carts', 1, 1]],
  );

  const short = (await get(a, '/summary?minutes=7')).body as typeof body;
  assert.equal(short.buckets.length, 7);
  assert.deepEqual(short.totals, { requests: 4, clientErrors: 0, serverErrors: 1 });
});

test("GET /request-logs/summary of a tenant without logs is zeros; another tenant's token gets 403; bad minutes is a 400 naming minutes", async () => {
  const empty = (await get(b, '/summary?minutes=3')).body;
  assert.deepEqual(empty.totals, { requests: 0, clientErrors: 0, serverErrors: 0 });
  assert.equal(empty.buckets.length, 3);
  assert.deepEqual(empty.topErrorRoutes, []);
  assert.equal((await get(a, '/summary', b)).status, 403);
  assert.equal((await get(a, '', b)).status, 403);
  for (const minutes of ['0', '181', 'many']) {
    const response = await get(a, `/summary?minutes=${minutes}`);
    assert.equal(response.status, 400, minutes);
    assert.equal(response.body.error.details[0].path, 'minutes');
  }
});
