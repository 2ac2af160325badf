import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadControlPlaneEnv } from './env.js';

class Stopped extends Error {}
const fail = (line: string): never => {
  throw new Stopped(line);
};
const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', PLATFORM_JWT_SECRET: 's'.repeat(32) };

test('a valid environment gets its documented defaults', () => {
  const env = loadControlPlaneEnv(base, fail);
  assert.equal(env.PORT, 8080);
  assert.deepEqual(env.TRUSTED_PROXIES, []);
  assert.equal(env.MAX_CONFIG_BYTES, 16 * 1024 * 1024);
  assert.equal(env.DATABASE_POOL_MAX, 20);
  const lists = loadControlPlaneEnv({ ...base, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }, fail);
  assert.deepEqual(lists.TRUSTED_PROXIES, ['10.0.0.0/8', '127.0.0.1']);
});

test('a weak or missing PLATFORM_JWT_SECRET and a missing DATABASE_URL stop start-up with one line naming them', () => {
  assert.throws(() => loadControlPlaneEnv({ ...base, PLATFORM_JWT_SECRET: 's'.repeat(31) }, fail), {
    message: 'control-plane: invalid environment: PLATFORM_JWT_SECRET must be at least 32 characters',
  });
  assert.throws(() => loadControlPlaneEnv({ PLATFORM_JWT_SECRET: 's'.repeat(40) }, fail), {
    message: 'control-plane: invalid environment: DATABASE_URL is required',
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, TLS_CERT_FILE: '/tmp/cert.pem' }, fail), /TLS_CERT_FILE and TLS_KEY_FILE/);
  assert.throws(() => loadControlPlaneEnv({ ...base, DATABASE_URL: 'mysql://x' }, fail), /DATABASE_URL must be a postgres/);
});

test('PLATFORM_JWT_ACCEPTED_SECRET is optional, and when set it must be as strong as the main secret', () => {
  assert.equal(loadControlPlaneEnv(base, fail).PLATFORM_JWT_ACCEPTED_SECRET, undefined);
  assert.equal(loadControlPlaneEnv({ ...base, PLATFORM_JWT_ACCEPTED_SECRET: 'a'.repeat(32) }, fail).PLATFORM_JWT_ACCEPTED_SECRET, 'a'.repeat(32));
  assert.throws(() => loadControlPlaneEnv({ ...base, PLATFORM_JWT_ACCEPTED_SECRET: 'short' }, fail), {
    message: 'control-plane: invalid environment: PLATFORM_JWT_ACCEPTED_SECRET must be at least 32 characters',
  });
});

test('the program exits non-zero with one clear line when the secret is weak', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH, DATABASE_URL: base.DATABASE_URL, PLATFORM_JWT_SECRET: 'too-short' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim(), 'control-plane: invalid environment: PLATFORM_JWT_SECRET must be at least 32 characters');
});

test('DATABASE_POOL_MAX takes a whole number from 2 to 1000 and refuses anything else with one line', () => {
  assert.equal(loadControlPlaneEnv({ ...base, DATABASE_POOL_MAX: '50' }, fail).DATABASE_POOL_MAX, 50);
  for (const bad of ['0', '1', '-5', '2.5', 'twenty', '1001']) {
    assert.throws(() => loadControlPlaneEnv({ ...base, DATABASE_POOL_MAX: bad }, fail), {
      message: 'control-plane: invalid environment: DATABASE_POOL_MAX must be a whole number from 2 to 1000',
    });
  }
});
