// The control plane's Redis features (login throttling, gateway presence) over TLS, against a private
// TLS-only redis-server: the server's certificate is verified (CA and hostname), with no plaintext fallback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { startOwnTlsRedis, type OwnTlsRedis } from '@novagate/gateway/testing/redis-server';
import { makeTestCertificates, type TestCertificates } from '@novagate/gateway/testing/tls-certificates';
import { createRedisThrottle } from '../auth/throttle.js';
import { createRedisPresence } from '../hub/presence.js';
import { createRedisClient, type RedisTls } from './redis.js';

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
  const redis = createRedisClient(url, tls, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  redis.on('error', () => undefined);
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
  assert.throws(() => createRedisClient('redis://127.0.0.1:6379', ca()), /needs a rediss:\/\/ URL/);
});
