// Gateway key guessing at the WebSocket upgrade (issue 12, item 13): refusals are logged without the key,
// counted by reason, and throttled per client address; good keys never count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { Registry } from 'prom-client';
import { CONNECT_PATH, formatApiKey } from '@novagate/gateway/protocol';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant } from '../testing/server.js';

const FAILURES = 5;
const { server } = withTestServer({
  trustedProxies: ['127.0.0.1'],
  hubProtection: { keyGuesses: { failures: FAILURES, windowMs: 60_000, maxAddresses: 1_000 } },
});

interface Attempt {
  status: number;
  retryAfter: string | undefined;
}

/** One upgrade with `key` as if from `clientIp` (through the trusted loopback proxy); closes at once if it opened. */
function attempt(key: string | null, clientIp: string): Promise<Attempt> {
  const headers: Record<string, string> = { 'x-forwarded-for': clientIp };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}${CONNECT_PATH}`, { headers, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, retryAfter: undefined });
    });
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

async function failures(registry: Registry, reason: string): Promise<number> {
  const { values } = await (registry.getSingleMetric('novagate_gateway_auth_failures_total') as { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }).get();
  return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

const secretOf = (key: string) => key.slice(key.lastIndexOf('_') + 1);

test('a flood of wrong keys from one address is refused 401, then throttled 429 with Retry-After, counted and logged without the key', async () => {
  const tenant = await registerTenant(server);
  const { registry } = server.controlPlane.metrics;
  const unknownBefore = await failures(registry, 'unknown');
  const throttledBefore = await failures(registry, 'throttled');
  const guesses = Array.from({ length: 40 }, (_, i) => formatApiKey(tenant.id, i.toString(16).padStart(32, '0')));
  const results: Attempt[] = [];
  for (const guess of guesses) results.push(await attempt(guess, '203.0.113.7'));
  assert.deepEqual(results.slice(0, FAILURES).map((r) => r.status), Array(FAILURES).fill(401));
  assert.deepEqual(results.slice(FAILURES).map((r) => r.status), Array(40 - FAILURES).fill(429));
  const retryAfter = Number(results[FAILURES]?.retryAfter);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${results[FAILURES]?.retryAfter}`);
  assert.equal((await failures(registry, 'unknown')) - unknownBefore, FAILURES);
  assert.equal((await failures(registry, 'throttled')) - throttledBefore, 40 - FAILURES);
  // Even a throttled address with the right key waits: the throttle does not tell a guesser when it hit.
  assert.equal((await attempt(tenant.gatewayApiKey, '203.0.113.7')).status, 429);

  const refusals = server.logLines.filter((line) => line.includes('gateway key refused') && line.includes(tenant.id));
  assert.equal(refusals.length, FAILURES, 'each refusal is logged, naming the tenant the key claims');
  assert.ok(refusals.every((line) => line.includes('"reason":"unknown"') && line.includes('203.0.113.0/24')));
  assert.equal(server.logLines.filter((line) => line.includes('gateway key checks throttled') && line.includes('203.0.113.0/24')).length, 1);
  for (const guess of guesses) {
    assert.ok(!server.logLines.some((line) => line.includes(secretOf(guess))), 'no log line holds a key');
  }
  assert.ok(!server.logLines.some((line) => line.includes('203.0.113.7')), 'no log line holds the full address');
});

test('malformed, missing and revoked keys are counted under their own reasons', async () => {
  const tenant = await registerTenant(server);
  const { registry } = server.controlPlane.metrics;
  const created = await server.request('POST', `/api/v1/tenants/${tenant.id}/api-keys`, { token: tenant.token, body: { name: 'to-revoke' } });
  assert.equal(created.status, 201);
  assert.equal((await server.request('DELETE', `/api/v1/tenants/${tenant.id}/api-keys/${created.body.id}`, { token: tenant.token })).status, 204);
  const before = { malformed: await failures(registry, 'malformed'), revoked: await failures(registry, 'revoked') };
  assert.equal((await attempt('not-a-key', '198.51.100.20')).status, 401);
  assert.equal((await attempt(null, '198.51.100.21')).status, 401);
  assert.equal((await attempt(created.body.key as string, '198.51.100.22')).status, 401);
  assert.equal((await failures(registry, 'malformed')) - before.malformed, 2);
  assert.equal((await failures(registry, 'revoked')) - before.revoked, 1);
  assert.ok(!server.logLines.some((line) => line.includes(secretOf(created.body.key as string))));
  assert.ok(server.logLines.some((line) => line.includes('"reason":"revoked"') && line.includes(tenant.id)));
});

test('a valid key still connects from another address while a guessing address is throttled', async () => {
  const tenant = await registerTenant(server);
  for (let i = 0; i < FAILURES + 3; i++) await attempt(formatApiKey(tenant.id, 'f'.repeat(32)), '192.0.2.50');
  assert.equal((await attempt(formatApiKey(tenant.id, 'f'.repeat(32)), '192.0.2.50')).status, 429);
  assert.equal((await attempt(tenant.gatewayApiKey, '192.0.2.51')).status, 101);
});

test('good keys never count: many gateways behind one NAT address connect, and its failure budget is untouched', async () => {
  const tenant = await registerTenant(server);
  const { registry } = server.controlPlane.metrics;
  const counted = async () =>
    (await failures(registry, 'malformed')) + (await failures(registry, 'unknown')) + (await failures(registry, 'revoked')) + (await failures(registry, 'throttled'));
  const before = await counted();
  for (let i = 0; i < FAILURES * 4; i++) assert.equal((await attempt(tenant.gatewayApiKey, '100.64.0.1')).status, 101);
  assert.equal(await counted(), before);
  for (let i = 0; i < FAILURES; i++) assert.equal((await attempt(formatApiKey(tenant.id, 'e'.repeat(32)), '100.64.0.1')).status, 401);
});
