import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../testing/database.js';
import { registerTenant, startTestServer, type TestServer } from '../testing/server.js';
import { createRedisThrottle } from './throttle.js';

let db: TestDatabase;
let relaxed: TestServer;

before(async () => {
  db = await createTestDatabase();
  relaxed = await startTestServer({ db });
});
after(async () => {
  await relaxed.close();
  await db.drop();
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

test('login is throttled per email with 429 and Retry-After, even from different addresses', async () => {
  const server = await startTestServer({
    db,
    trustedProxies: ['127.0.0.1'],
    throttleRules: { perIp: { limit: 1000, windowSeconds: 60 }, perEmail: { limit: 3, windowSeconds: 600 } },
  });
  try {
    const tenant = await registerTenant(server);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await server.request('POST', '/api/v1/auth/login', {
        body: { email: tenant.email, password: 'wrong password' },
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        assert.ok(Number(response.headers.get('retry-after')) > 0);
        assert.equal(response.body.error.code, 'too_many_requests');
      }
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const right = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
    assert.equal(right.status, 429, 'the right password does not bypass the throttle');
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
