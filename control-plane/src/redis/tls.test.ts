// The control plane's Redis features (login throttling, gateway presence) over TLS, against a private
// TLS-only redis-server: the server's certificate is verified (CA and hostname), with no plaintext fallback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { freePort, startOwnTlsRedis, type OwnTlsRedis } from '@novagate/gateway/testing/redis-server';
import { makeTestCertificates, type TestCertificates } from '@novagate/gateway/testing/tls-certificates';
import { createRedisThrottle } from '../auth/throttle.js';
import { createRedisPresence } from '../hub/presence.js';
import { createTestDatabase } from '../testing/database.js';
import { createRedisClient, redisReady, type RedisTls } from './client.js';

let certificates: TestCertificates;
let server: OwnTlsRedis | undefined;
let skip: string | undefined;
const clients: Redis[] = [];

before(async () => {
  certificates = makeTestCertificates();
  const started = await startOwnTlsRedis(certificates);
  if (typeof started === 'string') skip = started;
  else server = started;
});
after(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

function client(url: string, tls: RedisTls | undefined): Redis {
  const redis = createRedisClient(url, tls, () => undefined);
  clients.push(redis);
  return redis;
}

/** The first error the client reports, or 'ready'. */
async function firstOutcome(redis: Redis): Promise<'ready' | (Error & { code?: string })> {
  return new Promise((resolve) => {
    redis.once('ready', () => resolve('ready'));
    redis.once('error', (error: Error) => resolve(error));
  });
}

const ca = () => ({ ca: readFileSync(certificates.caFile, 'utf8') });
// Redis sends its CA with its certificate, so Node names an untrusted chain either way.
const UNTRUSTED = /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/;

test('login throttling and gateway presence work over rediss://', async (t) => {
  if (server === undefined) return t.skip(skip);
  const redis = client(server.url, ca());
  assert.equal(await firstOutcome(redis), 'ready');
  const throttle = createRedisThrottle(redis);
  const key = `tls-test:${randomUUID()}`;
  const rule = { limit: 2, windowSeconds: 60 };
  const decisions = [await throttle.hit(key, rule), await throttle.hit(key, rule), await throttle.hit(key, rule)];
  assert.deepEqual(decisions.map((decision) => decision.allowed), [true, true, false]);

  const presence = createRedisPresence(redis);
  const tenant = randomUUID();
  await presence.mark(tenant, 'node-1', { lastSeen: new Date().toISOString(), configVersion: 4, configHash: 'h', connection: 'c1' });
  assert.deepEqual([...(await presence.online(tenant)).keys()], ['node-1']);
  await presence.remove(tenant, 'node-1', 'c1');
  assert.equal((await presence.online(tenant)).size, 0);
});

test('a server whose certificate the CA did not sign is refused with a clear error; commands fail, nothing falls back', async (t) => {
  if (server === undefined) return t.skip(skip);
  const redis = client(server.url, { ca: readFileSync(certificates.otherCaFile, 'utf8') });
  const outcome = await firstOutcome(redis);
  assert.ok(outcome instanceof Error);
  assert.match(outcome.code ?? '', UNTRUSTED);
  await assert.rejects(redis.get('anything'));
  assert.notEqual(redis.status, 'ready');
});

test('rediss:// with a hostname the certificate does not name is refused', async (t) => {
  if (server === undefined) return t.skip(skip);
  const redis = client(`rediss://localhost:${server.port}`, ca());
  const outcome = await firstOutcome(redis);
  assert.ok(outcome instanceof Error);
  assert.equal(outcome.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  await assert.rejects(redis.get('anything'));
});

test('a CA given with a plaintext redis:// URL is refused, not ignored', () => {
  assert.throws(() => createRedisClient('redis://127.0.0.1:6379', ca(), () => undefined), /needs a rediss:\/\/ URL/);
});

test('the control plane started with a rediss:// REDIS_URL and REDIS_CA_FILE keeps its login throttle in that Redis', { timeout: 90_000 }, async (t) => {
  if (server === undefined) return t.skip(skip);
  const redis = client(server.url, ca());
  await redisReady(redis, 5_000);
  // This private server only: what the other tests wrote must not count as the control plane's.
  await redis.flushall();
  const db = await createTestDatabase();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: server.url,
      REDIS_CA_FILE: certificates.caFile,
      PLATFORM_JWT_SECRET: 'redis-tls-test-platform-secret-0123456789abcdef',
      PORT: String(port),
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    let up = false;
    for (let i = 0; i < 300 && !up && child.exitCode === null; i++) {
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(up, `the control plane did not start: ${output}`);
    const email = `tls-${randomUUID()}@example.com`;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'wrong password' }),
    });
    await response.arrayBuffer();
    assert.equal(response.status, 401);
    assert.ok((await redis.dbsize()) > 0, 'the login attempt was counted in the TLS Redis');
    assert.doesNotMatch(output, /redis error/);
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null) await once(child, 'exit');
    await db.drop();
  }
});
