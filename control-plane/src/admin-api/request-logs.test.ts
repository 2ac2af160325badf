import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';
import { storeRequestLogsWithinQuota } from '../tenancy/telemetry-store.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { TAIL_OVERLAP_SECONDS } from '../tenancy/request-logs.js';

const { server, db, ready } = withTestServer();
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

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the condition did not come true');
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

/** A console-like tail client: polls with each answer's cursor and shows a row once (drops repeats by request id). */
function tailClient(tenant: RegisteredTenant, cursor: string, filter = '') {
  const shown: string[] = [];
  return {
    shown,
    get cursor() {
      return cursor;
    },
    async poll(limit = 1000): Promise<string[]> {
      const page = await get(tenant, `?after=${cursor}&limit=${limit}${filter}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      cursor = page.body.cursor;
      const fresh = ids(page).filter((id) => !shown.includes(id));
      shown.push(...fresh);
      return ids(page);
    },
  };
}

/** The cursor of a listing with the route filter: the database's now, where a tail over that route starts. */
const startCursor = async (route: string) => (await get(a, `?route=${route}`)).body.cursor as string;

/** Stores entries the way the hub does (the quota statement, default arrival time), on the tenant's day `day`. */
const store = (entries: Entry[], day = '2026-03-01') =>
  storeRequestLogsWithinQuota(db.pool, a.id, 'node-logs', entries.map((e) => ({ ...e, method: 'GET', pathTemplate: '/p', latencyMs: 1 })), day, null);

test('the live tail returns the rows that arrived after the cursor in arrival order, walking a batch that shares one arrival time without loss', async () => {
  const client = tailClient(a, await startCursor('walk'), '&route=walk');
  // One batch: one insert statement, so one arrival time; request ids order it.
  await store([entry('w2', T2, 200, 'walk'), entry('w1', T0, 200, 'walk'), entry('w3', T1, 200, 'walk')]);
  for (let poll = 0; poll < 5; poll++) await client.poll(1);
  assert.deepEqual(client.shown, ['w1', 'w2', 'w3']);
  await store([entry('w0', T0, 200, 'walk')]);
  await client.poll(1);
  assert.deepEqual(client.shown, ['w1', 'w2', 'w3', 'w0'], 'a later batch comes after, whatever its gateway time');
});

test('a row whose gateway time is older than rows the tail already returned, stored after that poll, is returned by the next poll', async () => {
  const client = tailClient(a, await startCursor('late'), '&route=late');
  // Gateway times long before the summary's window (the summary test counts the last hour).
  const newest = Date.parse(T2);
  await store([entry('recent', new Date(newest).toISOString(), 200, 'late')]);
  await client.poll();
  assert.deepEqual(client.shown, ['recent']);
  // Another gateway's batch: served half a second before `recent`, shipped after the poll.
  await store([entry('shipped-late', new Date(newest - 500).toISOString(), 200, 'late')]);
  await client.poll();
  assert.deepEqual(client.shown, ['recent', 'shipped-late']);
});

test('a row whose insert transaction started before a poll but committed after it is returned by the next poll, and a deduping client shows every row once', async () => {
  const client = tailClient(a, await startCursor('commit-order'), '&route=commit-order');
  // Hold the quota row of one day, so the hub's insert for that day starts (its arrival time is its
  // transaction's start) and waits; an insert for another day goes through meanwhile.
  const blocker = await db.pool.connect();
  let slow: Promise<unknown> | undefined;
  try {
    await blocker.query('BEGIN');
    await blocker.query(`INSERT INTO ${quotedTenantSchema(a.id)}.telemetry_usage (day) VALUES ('2026-04-01') ON CONFLICT (day) DO NOTHING`);
    await blocker.query(`SELECT 1 FROM ${quotedTenantSchema(a.id)}.telemetry_usage WHERE day = '2026-04-01' FOR UPDATE`);
    slow = store([entry('slow', T2, 200, 'commit-order')], '2026-04-01');
    await waitUntil(async () => (await db.pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%telemetry_usage%'")).rowCount === 1);
    await store([entry('fast', T2, 200, 'commit-order')], '2026-04-02');
    await client.poll();
    assert.deepEqual(client.shown, ['fast']);
    await blocker.query('COMMIT');
    await slow;
  } finally {
    if (slow === undefined) await blocker.query('ROLLBACK');
    blocker.release();
  }
  const { rows } = await db.pool.query<{ request_id: string }>(
    `SELECT request_id FROM ${quotedTenantSchema(a.id)}.request_logs WHERE route = 'commit-order' ORDER BY ingested_at, request_id COLLATE "C"`,
  );
  assert.deepEqual(rows.map((row) => row.request_id), ['slow', 'fast'], 'the slow row arrived (by its transaction start) before the fast one');
  const answered = await client.poll();
  assert.deepEqual(answered, ['slow', 'fast'], 'the poll re-reads the overlap, the slow row included');
  assert.deepEqual(client.shown, ['fast', 'slow']);
  await client.poll();
  await store([entry('after', T2, 200, 'commit-order')]);
  await client.poll();
  assert.deepEqual(client.shown, ['fast', 'slow', 'after'], 'each row shown once');
});

test(`a tail poll re-reads the rows that arrived at most ${TAIL_OVERLAP_SECONDS} s before its cursor (at most limit of them), not older ones`, async () => {
  const client = tailClient(a, await startCursor('overlap'), '&route=overlap');
  await store([entry('anchor', T2, 200, 'overlap')]);
  await client.poll();
  const { rows } = await db.pool.query<{ at: Date }>(`SELECT ingested_at AS at FROM ${quotedTenantSchema(a.id)}.request_logs WHERE request_id = 'anchor'`);
  const anchorArrival = rows[0]!.at.getTime();
  // Rows committed after the poll whose arrival time (a transaction start) lies before the cursor.
  const insertArrived = (id: string, secondsBefore: number) =>
    db.pool.query(
      `INSERT INTO ${quotedTenantSchema(a.id)}.request_logs (request_id, method, path_template, status, latency_ms, route, gateway_node, time, ingested_at)
       VALUES ($1, 'GET', '/p', 200, 1, 'overlap', 'node-logs', $2, $3)`,
      [id, T2, new Date(anchorArrival - secondsBefore * 1000)],
    );
  await insertArrived('within', TAIL_OVERLAP_SECONDS - 1);
  await insertArrived('beyond', TAIL_OVERLAP_SECONDS + 1);
  assert.deepEqual(await client.poll(), ['within', 'anchor']);
  assert.deepEqual(await client.poll(1), ['anchor'], 'with limit 1 only the newest re-read row');
  assert.deepEqual(client.shown, ['anchor', 'within']);
});

test('a listing\'s cursor is the database now: the tail after it brings rows that arrive later', async () => {
  const empty = await get(b, '');
  assert.deepEqual(empty.body.data, []);
  assert.deepEqual((await get(b, `?after=${empty.body.cursor}`)).body.data, []);
  assert.deepEqual((await get(a, `?after=${await startCursor('nothing')}&route=nothing`)).body.data, []);
  const client = tailClient(a, (await get(a, '?until=2026-01-01T00:00:00Z')).body.cursor, '&route=later');
  await store([entry('later', T0, 200, 'later')]);
  await client.poll();
  assert.deepEqual(client.shown, ['later']);
});

test('GET /request-logs answers 400 naming the field for a bad time, window, cursor or unknown parameter', async () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const notOurs = cursorOf(['arrival', 'yesterday', 'x']);
  // The (gateway time, request id) cursor the tail used before tenant migration 015.
  const oldTimeCursor = cursorOf(['2026-01-01T00:00:00.000000Z', 'x']);
  const noSuchDay = cursorOf(['arrival', '2026-02-31T00:00:00.000000Z', 'x']);
  const cases: [string, string][] = [
    ['?since=yesterday', 'since'],
    ['?until=2026-13-01T00:00:00Z', 'until'],
    [`?since=${T2}&until=${T1}`, 'until'],
    ['?after=%25%25', 'after'],
    [`?after=${notOurs}`, 'after'],
    [`?after=${oldTimeCursor}`, 'after'],
    [`?after=${noSuchDay}`, 'after'],
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
