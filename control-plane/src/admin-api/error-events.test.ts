import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';
import { helloGateway } from '../testing/gateway-client.js';

const { server, ready } = withTestServer();
let a: RegisteredTenant;
let b: RegisteredTenant;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute)).toISOString();
const events = [
  { code: 'upstream_error', service: 'users', count: 3, time: at(1) },
  { code: 'upstream_timeout', service: 'users', count: 1, time: at(2) },
  { code: 'upstream_error', service: 'orders', count: 7, time: at(3) },
  { code: 'upstream_unavailable', service: 'orders', count: 2, time: at(4) },
];

before(async () => {
  await ready;
  a = await registerTenant(server, 'Errors A');
  b = await registerTenant(server, 'Errors B');
  // The way events arrive in production: a gateway's `errors` message over its connection.
  const gateway = await helloGateway(server.url, a.gatewayApiKey, { nodeId: 'node-errors' });
  try {
    gateway.send({ type: 'errors', events });
    for (let i = 0; i < 200; i++) {
      const listed = await get(a, '');
      if (listed.body?.data?.length === events.length) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    gateway.close();
  }
});

function get(tenant: RegisteredTenant, query: string, as: RegisteredTenant = tenant) {
  return server.request('GET', `/api/v1/tenants/${tenant.id}/errors${query}`, { token: as.token });
}

const times = (response: { body: { data: { time: string }[] } }) => response.body.data.map((event) => event.time);

test('GET /errors lists the error events a gateway sent, newest first, with code, service, count and time', async () => {
  const listed = await get(a, '');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.data, [...events].reverse());
});

test('GET /errors filters by code, by service, by since/until (until exclusive) and limits', async () => {
  assert.deepEqual(times(await get(a, '?code=upstream_error')), [at(3), at(1)]);
  assert.deepEqual(times(await get(a, '?service=users')), [at(2), at(1)]);
  assert.deepEqual(times(await get(a, '?code=upstream_error&service=orders')), [at(3)]);
  assert.deepEqual(times(await get(a, `?since=${at(2)}&until=${at(4)}`)), [at(3), at(2)]);
  assert.deepEqual(times(await get(a, `?since=${encodeURIComponent('2026-11-29T13:03:00+01:00')}`)), [at(4), at(3)]);
  assert.deepEqual(times(await get(a, '?limit=1')), [at(4)]);
  assert.deepEqual((await get(a, '?service=nobody')).body.data, []);
});

test('GET /errors answers 400 naming the field for a bad limit, time, window, empty filter or unknown parameter', async () => {
  const cases: [string, string][] = [
    ['?limit=0', 'limit'],
    ['?limit=1001', 'limit'],
    ['?limit=ten', 'limit'],
    ['?since=yesterday', 'since'],
    ['?until=2026-13-01T00:00:00Z', 'until'],
    [`?since=${at(4)}&until=${at(1)}`, 'until'],
    ['?code=', 'code'],
    [`?service=${'s'.repeat(257)}`, 'service'],
    ['?colour=red', ''],
  ];
  for (const [query, field] of cases) {
    const response = await get(a, query);
    assert.equal(response.status, 400, query);
    assert.equal(response.body.error.code, 'validation_failed', query);
    const paths = (response.body.error.details as { path: string; message: string }[]).map((detail) => `${detail.path} ${detail.message}`);
    assert.ok(paths.some((path) => (field === '' ? path.includes('colour') : path.startsWith(field))), `${query}: ${paths.join('; ')}`);
  }
});

test("another tenant's token gets 403 on GET /errors, and its own list is empty", async () => {
  const crossed = await get(a, '', b);
  assert.equal(crossed.status, 403);
  assert.doesNotMatch(crossed.text, /upstream_error|users|orders/);
  assert.deepEqual((await get(b, '')).body.data, []);
  assert.equal((await server.request('GET', `/api/v1/tenants/${a.id}/errors`)).status, 401);
});
