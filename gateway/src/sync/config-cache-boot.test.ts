// A gateway started while its control plane is unreachable, with a cache an attacker wrote to Redis and to
// CONFIG_CACHE_FILE: the forged config must never be served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configHash, type GatewayConfig } from '../config/index.js';
import { formatApiKey } from '../protocol/index.js';
import { createRespClient, type RespClient } from '../redis/resp-client.js';
import { startGatewayProcess, type GatewayProcess } from '../testing/gateway-process.js';
import { freePort, TEST_REDIS_URL } from '../testing/redis-server.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { configCacheRedisKey, writeConfigCacheFile, writeConfigCacheRedis } from './config-cache.js';
import { deriveConfigCacheKey, sealConfigCacheEntry } from './config-cache-seal.js';

let upstream: TestUpstream;
let redis: RespClient;
const redisKeys: string[] = [];

before(async () => {
  upstream = await startUpstream();
  redis = createRespClient(TEST_REDIS_URL);
  for (let i = 0; i < 50 && redis.status() !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
});
after(async () => {
  if (redisKeys.length > 0) await redis.command(['DEL', ...redisKeys]);
  redis.close();
  await upstream.close();
});

interface Tenant {
  id: string;
  apiKey: string;
  cacheFile: string;
}

function newTenant(): Tenant {
  const id = randomUUID();
  redisKeys.push(configCacheRedisKey(id));
  return { id, apiKey: formatApiKey(id, randomBytes(16).toString('hex')), cacheFile: join(mkdtempSync(join(tmpdir(), 'novagate-forged-')), 'config.json') };
}

/** The tenant's config as the control plane would push it (`/secure` needs a key), or as an attacker wants it. */
function configOf(auth: 'key-auth' | 'none'): GatewayConfig {
  return {
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'secure', service: 'up', paths: ['/secure'], auth }],
  } as GatewayConfig;
}

function entry(tenant: Tenant, config: GatewayConfig) {
  return { tenant: tenant.id, version: 3, hash: configHash(config), config };
}

/** A gateway of `tenant` whose control plane is a closed port, so it can only boot from its cache. */
async function startCutOff(tenant: Tenant): Promise<GatewayProcess> {
  return startGatewayProcess({
    CONTROL_PLANE_URL: `wss://127.0.0.1:${await freePort()}`,
    GATEWAY_API_KEY: tenant.apiKey,
    REDIS_URL: TEST_REDIS_URL,
    CONFIG_CACHE_FILE: tenant.cacheFile,
  });
}

async function get(gateway: GatewayProcess, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

async function metric(gateway: GatewayProcess, series: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function waitForLine(gateway: GatewayProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (gateway.lines.some((line) => pattern.test(line))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`no log line matched ${String(pattern)}:\n${gateway.lines.join('\n')}`);
}

test('a cache sealed under the gateway key is served while the control plane is unreachable', { timeout: 60_000 }, async () => {
  const tenant = newTenant();
  const key = deriveConfigCacheKey(tenant.apiKey);
  await writeConfigCacheRedis(redis, key, entry(tenant, configOf('key-auth')));
  const gateway = await startCutOff(tenant);
  try {
    await waitForLine(gateway, /serving the cached config/);
    assert.equal(await get(gateway, '/secure'), 401, 'the cached route is served, with its auth');
  } finally {
    await gateway.stop();
  }
});

test('a forged cache with auth removed, in Redis and in the file, is refused, counted, and not served', { timeout: 60_000 }, async () => {
  const tenant = newTenant();
  const forged = entry(tenant, configOf('none'));
  // Redis: the old plaintext format. The file: an envelope sealed under a key of the attacker's, with the right key id.
  await redis.command(['SET', configCacheRedisKey(tenant.id), JSON.stringify(forged)]);
  const attackerKey = { ...deriveConfigCacheKey('the attacker does not know the gateway key'), id: deriveConfigCacheKey(tenant.apiKey).id };
  writeFileSync(tenant.cacheFile, sealConfigCacheEntry(attackerKey, { tenant: tenant.id, place: 'file' }, JSON.stringify(forged)));
  const before = upstream.received.length;
  const gateway = await startCutOff(tenant);
  try {
    await waitForLine(gateway, /no usable cached config/);
    assert.equal(await get(gateway, '/secure'), 503, 'no config is in use: the gateway waits for the control plane');
    assert.equal(upstream.received.length, before, 'nothing reached the upstream');
    const refusals = gateway.lines.filter((line) => line.includes('refusing the cached config'));
    assert.equal(refusals.length, 2, refusals.join('\n'));
    assert.match(refusals.join('\n'), /"cache":"redis","reason":"not_sealed"/);
    assert.match(refusals.join('\n'), /"cache":"file","reason":"authentication_failed"/);
    assert.equal(await metric(gateway, 'novagate_config_cache_rejected_total{reason="not_sealed"}'), 1);
    assert.equal(await metric(gateway, 'novagate_config_cache_rejected_total{reason="authentication_failed"}'), 1);
  } finally {
    await gateway.stop();
  }
});

test('after GATEWAY_API_KEY rotates, the old cache is refused and logged, and the gateway keeps running and waiting', { timeout: 60_000 }, async () => {
  const tenant = newTenant();
  const oldKey = deriveConfigCacheKey(tenant.apiKey);
  await writeConfigCacheRedis(redis, oldKey, entry(tenant, configOf('key-auth')));
  writeConfigCacheFile(tenant.cacheFile, oldKey, entry(tenant, configOf('key-auth')));
  const rotated = { ...tenant, apiKey: formatApiKey(tenant.id, randomBytes(16).toString('hex')) };
  const gateway = await startCutOff(rotated);
  try {
    await waitForLine(gateway, /no usable cached config/);
    assert.equal(await metric(gateway, 'novagate_config_cache_rejected_total{reason="key_mismatch"}'), 2);
    assert.equal(await get(gateway, '/secure'), 503);
    assert.equal(gateway.child.exitCode, null, 'the gateway did not crash');
  } finally {
    assert.equal(await gateway.stop(), 0);
  }
});
