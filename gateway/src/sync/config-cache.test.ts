import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configHash, type GatewayConfig } from '../config/index.js';
import { formatApiKey } from '../protocol/index.js';
import { createRespClient, type RespClient } from '../redis/resp-client.js';
import { TEST_REDIS_URL } from '../testing/redis-server.js';
import {
  configCacheRedisKey,
  readConfigCacheFile,
  readConfigCacheRedis,
  writeConfigCacheFile,
  writeConfigCacheRedis,
  type CachedConfig,
} from './config-cache.js';
import { deriveConfigCacheKey, sealConfigCacheEntry } from './config-cache-seal.js';

const KEY = deriveConfigCacheKey(formatApiKey(randomUUID(), 'a1'.repeat(16)));
const config: GatewayConfig = {
  services: [{ name: 'up', url: 'http://127.0.0.1:9' }],
  routes: [{ name: 'secure', service: 'up', paths: ['/secure'], auth: 'key-auth' }],
} as GatewayConfig;

function entryFor(tenant: string, routes = config): CachedConfig {
  return { tenant, version: 7, hash: configHash(routes), config: routes };
}

function cacheFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'novagate-cache-test-')), 'config.json');
}

/** The envelope of a file entry, to tamper with. */
function envelopeOf(path: string): Record<string, string> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** Flips the low bit of byte `index` of a base64url field. */
function flipByte(field: string, index = 0): string {
  const bytes = Buffer.from(field, 'base64url');
  bytes[index] = (bytes[index] as number) ^ 1;
  return bytes.toString('base64url');
}

let redis: RespClient;
const redisKeys: string[] = [];
before(async () => {
  redis = createRespClient(TEST_REDIS_URL);
  for (let i = 0; i < 50 && redis.status() !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
});
after(async () => {
  if (redisKeys.length > 0) await redis.command(['DEL', ...redisKeys]);
  redis.close();
});

function newTenant(): string {
  const tenant = randomUUID();
  redisKeys.push(configCacheRedisKey(tenant));
  return tenant;
}

test('a sealed entry round-trips through the file and Redis, and neither holds the config in clear', async () => {
  const tenant = newTenant();
  const path = cacheFile();
  writeConfigCacheFile(path, KEY, entryFor(tenant));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, entry: entryFor(tenant) });
  assert.doesNotMatch(readFileSync(path, 'utf8'), /secure|key-auth|127\.0\.0\.1/);

  await writeConfigCacheRedis(redis, KEY, entryFor(tenant));
  assert.deepEqual(await readConfigCacheRedis(redis, KEY, tenant), { found: true, entry: entryFor(tenant) });
  const raw = await redis.command(['GET', configCacheRedisKey(tenant)]);
  assert.equal(typeof raw, 'string');
  assert.doesNotMatch(raw as string, /secure|key-auth/);
});

test('no entry reads as not found, not as refused', async () => {
  assert.deepEqual(readConfigCacheFile(join(cacheFile(), 'missing'), KEY, 'default'), { found: false });
  assert.deepEqual(await readConfigCacheRedis(redis, KEY, newTenant()), { found: false });
});

for (const field of ['data', 'tag', 'iv'] as const) {
  test(`an entry with one byte of its ${field} flipped is refused`, () => {
    const tenant = newTenant();
    const path = cacheFile();
    writeConfigCacheFile(path, KEY, entryFor(tenant));
    const envelope = envelopeOf(path);
    writeFileSync(path, JSON.stringify({ ...envelope, [field]: flipByte(envelope[field] as string, field === 'data' ? 40 : 3) }));
    assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'authentication_failed' });
  });
}

test("one tenant's entry copied under another tenant's name is refused, even under the same key", async () => {
  const victim = newTenant();
  const attacker = newTenant();
  await writeConfigCacheRedis(redis, KEY, entryFor(attacker));
  const sealed = await redis.command(['GET', configCacheRedisKey(attacker)]);
  await redis.command(['SET', configCacheRedisKey(victim), sealed as string]);
  assert.deepEqual(await readConfigCacheRedis(redis, KEY, victim), { found: true, rejected: 'authentication_failed' });

  const path = cacheFile();
  writeConfigCacheFile(path, KEY, entryFor(attacker));
  assert.deepEqual(readConfigCacheFile(path, KEY, victim), { found: true, rejected: 'authentication_failed' });
});

test('an entry moved from Redis into the cache file is refused: it is bound to where it was written', async () => {
  const tenant = newTenant();
  await writeConfigCacheRedis(redis, KEY, entryFor(tenant));
  const path = cacheFile();
  writeFileSync(path, (await redis.command(['GET', configCacheRedisKey(tenant)])) as string);
  assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'authentication_failed' });
});

test("a plaintext entry in the old format, with every route's auth removed, is refused in Redis and in the file", async () => {
  const tenant = newTenant();
  const open = { ...config, routes: config.routes.map((route) => ({ ...route, auth: 'none' as const })) } as GatewayConfig;
  const forged = JSON.stringify(entryFor(tenant, open));
  await redis.command(['SET', configCacheRedisKey(tenant), forged]);
  assert.deepEqual(await readConfigCacheRedis(redis, KEY, tenant), { found: true, rejected: 'not_sealed' });
  const path = cacheFile();
  writeFileSync(path, forged);
  assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'not_sealed' });
});

test('an entry sealed by someone without the key is refused, even when it copies the key id', () => {
  const tenant = newTenant();
  const path = cacheFile();
  const attackerKey = { ...deriveConfigCacheKey('an attacker who does not know the gateway key'), id: KEY.id };
  writeFileSync(path, sealConfigCacheEntry(attackerKey, { tenant, place: 'file' }, JSON.stringify(entryFor(tenant))));
  assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'authentication_failed' });
});

test('truncated, empty and malformed entries are refused as malformed', () => {
  const tenant = newTenant();
  const path = cacheFile();
  writeConfigCacheFile(path, KEY, entryFor(tenant));
  const sealed = readFileSync(path, 'utf8');
  const envelope = envelopeOf(path);
  const cases = [
    sealed.slice(0, sealed.length - 10),
    '',
    'null',
    '[]',
    JSON.stringify({ ...envelope, format: 'novagate-config-cache/0' }),
    JSON.stringify({ ...envelope, tag: (envelope.tag as string).slice(0, 20) }),
    JSON.stringify({ ...envelope, iv: `${envelope.iv as string}==` }),
    JSON.stringify({ ...envelope, data: 42 }),
  ];
  for (const raw of cases) {
    writeFileSync(path, raw);
    assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'malformed' }, `entry ${JSON.stringify(raw.slice(0, 60))}`);
  }
  // Ciphertext cut short keeps a valid envelope but fails the tag.
  writeFileSync(path, JSON.stringify({ ...envelope, data: (envelope.data as string).slice(0, 40) }));
  assert.deepEqual(readConfigCacheFile(path, KEY, tenant), { found: true, rejected: 'authentication_failed' });
});

test('after GATEWAY_API_KEY rotates, the entry sealed under the old key is refused as sealed under another key', async () => {
  const tenant = newTenant();
  const oldKey = deriveConfigCacheKey(formatApiKey(tenant, '0f'.repeat(16)));
  const newKey = deriveConfigCacheKey(formatApiKey(tenant, 'e3'.repeat(16)));
  assert.notEqual(oldKey.id, newKey.id);
  await writeConfigCacheRedis(redis, oldKey, entryFor(tenant));
  assert.deepEqual(await readConfigCacheRedis(redis, newKey, tenant), { found: true, rejected: 'key_mismatch' });
  assert.deepEqual(await readConfigCacheRedis(redis, oldKey, tenant), { found: true, entry: entryFor(tenant) });
});

test('the derived key is stable for one secret and differs between secrets', () => {
  assert.deepEqual(deriveConfigCacheKey('s'.repeat(40)), deriveConfigCacheKey('s'.repeat(40)));
  assert.notDeepEqual(deriveConfigCacheKey('s'.repeat(40)).key, deriveConfigCacheKey('t'.repeat(40)).key);
  assert.equal(deriveConfigCacheKey('s'.repeat(40)).key.length, 32);
});
