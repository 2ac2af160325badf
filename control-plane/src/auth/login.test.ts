import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { TEST_REDIS_URL } from '../testing/database.js';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startTestServer, type TestServer } from '../testing/server.js';
import { createRedisThrottle, type Throttle } from './throttle.js';
import { DEFAULT_AUTH_THROTTLE } from './router.js';

const { db, server: relaxed } = withTestServer();
let sharedRedis: Redis;

before(() => {
  sharedRedis = new Redis(TEST_REDIS_URL);
});
after(() => {
  sharedRedis.disconnect();
});

test('login with the right password answers a token that opens the tenant', async () => {
  const tenant = await registerTenant(relaxed);
  const login = await relaxed.request('POST', '/api/v1/auth/login', { body: { email: tenant.email.toUpperCase(), password: tenant.password } });
  assert.equal(login.status, 200);
  const keys = await relaxed.request('GET', `/api/v1/tenants/${tenant.id}/api-keys`, { token: login.body.token });
  assert.equal(keys.status, 200);
});

test('unknown email and wrong password get the same 401 body', async () => {
  const tenant = await registerTenant(relaxed);
  const wrong = await relaxed.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: 'not the password' } });
  const unknown = await relaxed.request('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'not the password' } });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(wrong.body, unknown.body);
  assert.equal(wrong.body.error.code, 'invalid_credentials');
});

const attacker = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i + 1}` });
const login = (server: TestServer, email: string, password: string, ip: string) =>
  server.request('POST', '/api/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

/** A server with the default login policy whose login delays are recorded, not slept. */
async function recordingServer(throttle?: Throttle): Promise<{ server: TestServer; delays: number[] }> {
  const delays: number[] = [];
  const server = await startTestServer({
    db,
    throttle,
    trustedProxies: ['127.0.0.1'],
    throttleRules: { ...DEFAULT_AUTH_THROTTLE, perIp: { limit: 1000, windowSeconds: 60 } },
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  return { server, delays };
}

for (const [backend, makeThrottle] of [
  ['memory', () => undefined],
  ['Redis', () => createRedisThrottle(sharedRedis)],
] as const) {
  test(`a spray of wrong passwords for one email from many addresses is slowed by a growing, capped delay but never locks the owner out (${backend})`, async () => {
    const { server, delays } = await recordingServer(makeThrottle());
    try {
      const tenant = await registerTenant(server);
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: `guess ${i}` }, headers: attacker(i) })).status);
      assert.deepEqual(statuses, Array(25).fill(401), 'no lockout: every attempt is checked');
      // Every attempt after the first waited; the waits doubled and stopped at the cap.
      assert.equal(delays.length, 24);
      assert.ok(delays[0]! > 0 && delays[0]! <= 250, `first delay ${delays[0]}`);
      assert.ok(delays[3]! > 1_000, `fourth delay ${delays[3]}`);
      assert.ok(delays.every((ms) => ms <= DEFAULT_AUTH_THROTTLE.loginDelay.capMs));
      assert.ok(delays.slice(-10).every((ms) => ms > 3_000), 'the delay stays near its cap while the spray goes on');
      const owner = await login(server, tenant.email.toUpperCase(), tenant.password, '198.51.100.77');
      assert.equal(owner.status, 200, 'the owner, from a fresh address, with the right password, logs in');
      assert.ok(delays.at(-1)! <= DEFAULT_AUTH_THROTTLE.loginDelay.capMs, 'the owner waited no longer than the cap');
    } finally {
      await server.close();
    }
  });
}

test('one address guessing one email gets 429 after 10 failures, without its password checked, while the owner elsewhere logs in', async () => {
  const { server } = await recordingServer();
  try {
    const tenant = await registerTenant(server);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(server, tenant.email, `guess ${i}`, '203.0.113.9')).status);
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    const blocked = await login(server, tenant.email, tenant.password, '203.0.113.9');
    assert.equal(blocked.status, 429, 'that pair is refused before any password check, right or wrong');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal(blocked.body.error.code, 'too_many_requests');
    assert.equal((await login(server, tenant.email, tenant.password, '198.51.100.8')).status, 200, 'the owner from his own address');
    assert.equal((await login(server, 'other@example.com', 'x', '203.0.113.9')).status, 401, 'the address may still try other accounts');
  } finally {
    await server.close();
  }
});

test('one address guessing many emails is throttled per client IP (429 with Retry-After)', async () => {
  const server = await startTestServer({
    db,
    trustedProxies: ['127.0.0.1'],
    throttleRules: { ...DEFAULT_AUTH_THROTTLE, perIp: { limit: 30, windowSeconds: 60 } },
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await login(server, `victim${i}@example.com`, 'password123', '203.0.113.50')).status);
    assert.deepEqual(statuses, [...Array(30).fill(401), 429, 429]);
    assert.equal((await login(server, 'victim0@example.com', 'password123', '203.0.113.51')).status, 401, 'another address is not affected');
  } finally {
    await server.close();
  }
});

test('every /auth endpoint is throttled per client IP, shared through Redis', async () => {
  const redis = new Redis(TEST_REDIS_URL);
  const server = await startTestServer({
    db,
    throttle: createRedisThrottle(redis),
    trustedProxies: ['127.0.0.1'],
    throttleRules: { perIp: { limit: 2, windowSeconds: 60 }, perEmail: { limit: 1000, windowSeconds: 60 } },
  });
  try {
    const endpoints: [string, unknown][] = [
      ['/api/v1/auth/register', { email: 'x@example.com', password: 'short', tenantName: 'x' }],
      ['/api/v1/auth/login', { email: 'x@example.com', password: 'x' }],
      ['/api/v1/auth/password-reset', { email: 'x@example.com' }],
      ['/api/v1/auth/password-reset/confirm', { token: '0'.repeat(64), password: 'a long enough password' }],
    ];
    for (const [path, body] of endpoints) {
      // A fresh documentation-range IPv6 address per endpoint, so earlier runs' counters never interfere.
      const clientIp = `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await server.request('POST', path, { body, headers: { 'x-forwarded-for': clientIp } });
        statuses.push(response.status);
      }
      assert.notEqual(statuses[0], 429, path);
      assert.notEqual(statuses[1], 429, path);
      assert.equal(statuses[2], 429, `${path}: ${statuses.join(',')}`);
    }
  } finally {
    await server.close();
    redis.disconnect();
  }
});

test('X-Forwarded-For is believed only from a trusted proxy', async () => {
  const untrusting = await startTestServer({
    db,
    throttleRules: { perIp: { limit: 2, windowSeconds: 60 }, perEmail: { limit: 1000, windowSeconds: 60 } },
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await untrusting.request('POST', '/api/v1/auth/login', {
        body: { email: 'spoof@example.com', password: 'x' },
        headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
      });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 429], 'a spoofed X-Forwarded-For must not give a fresh budget');
  } finally {
    await untrusting.close();
  }
});
