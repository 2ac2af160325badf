import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadControlPlaneEnv } from './env.js';

class Stopped extends Error {}
const fail = (line: string): never => {
  throw new Stopped(line);
};
const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', PLATFORM_JWT_SECRET: randomBytes(32).toString('hex') };
const HINT = ' (generate one with `openssl rand -hex 32`)';

test('a valid environment gets its documented defaults', () => {
  const env = loadControlPlaneEnv(base, fail);
  assert.equal(env.PORT, 8080);
  assert.deepEqual(env.TRUSTED_PROXIES, []);
  assert.equal(env.MAX_CONFIG_BYTES, 16 * 1024 * 1024);
  assert.equal(env.DATABASE_POOL_MAX, 20);
  const lists = loadControlPlaneEnv({ ...base, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }, fail);
  assert.deepEqual(lists.TRUSTED_PROXIES, ['10.0.0.0/8', '127.0.0.1']);
});

test('CONSOLE_SESSION_TTL_SECONDS defaults to 8 h and takes 5 min to 7 days; anything else stops start-up naming it', () => {
  assert.equal(loadControlPlaneEnv(base, fail).CONSOLE_SESSION_TTL_SECONDS, 28_800);
  assert.equal(loadControlPlaneEnv({ ...base, CONSOLE_SESSION_TTL_SECONDS: '900' }, fail).CONSOLE_SESSION_TTL_SECONDS, 900);
  for (const value of ['299', '604801', '1h', '-5', '9'.repeat(30)]) {
    assert.throws(() => loadControlPlaneEnv({ ...base, CONSOLE_SESSION_TTL_SECONDS: value }, fail), /^Error: control-plane: invalid environment: CONSOLE_SESSION_TTL_SECONDS must be a whole number of seconds from 300/, value);
  }
});

test('a weak or missing PLATFORM_JWT_SECRET and a missing DATABASE_URL stop start-up with one line naming them', () => {
  assert.throws(() => loadControlPlaneEnv({ ...base, PLATFORM_JWT_SECRET: 's'.repeat(31) }, fail), {
    message: `control-plane: invalid environment: PLATFORM_JWT_SECRET must be at least 32 characters${HINT}`,
  });
  assert.throws(() => loadControlPlaneEnv({ PLATFORM_JWT_SECRET: base.PLATFORM_JWT_SECRET }, fail), {
    message: 'control-plane: invalid environment: DATABASE_URL is required',
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, TLS_CERT_FILE: '/tmp/cert.pem' }, fail), /TLS_CERT_FILE and TLS_KEY_FILE/);
  assert.throws(() => loadControlPlaneEnv({ ...base, DATABASE_URL: 'mysql://x' }, fail), /DATABASE_URL must be a postgres/);
});

test('PLATFORM_JWT_ACCEPTED_SECRET is optional, and when set it must be as strong as the main secret', () => {
  assert.equal(loadControlPlaneEnv(base, fail).PLATFORM_JWT_ACCEPTED_SECRET, undefined);
  const accepted = randomBytes(32).toString('base64');
  assert.equal(loadControlPlaneEnv({ ...base, PLATFORM_JWT_ACCEPTED_SECRET: accepted }, fail).PLATFORM_JWT_ACCEPTED_SECRET, accepted);
  assert.throws(() => loadControlPlaneEnv({ ...base, PLATFORM_JWT_ACCEPTED_SECRET: 'short' }, fail), {
    message: `control-plane: invalid environment: PLATFORM_JWT_ACCEPTED_SECRET must be at least 32 characters${HINT}`,
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, PLATFORM_JWT_ACCEPTED_SECRET: 'a'.repeat(32) }, fail), {
    message: `control-plane: invalid environment: PLATFORM_JWT_ACCEPTED_SECRET is one repeated pattern${HINT}`,
  });
});

test('SECRETS_ENCRYPTION_KEY is optional, as strong as any secret, and its accepted key needs it', () => {
  assert.equal(loadControlPlaneEnv(base, fail).SECRETS_ENCRYPTION_KEY, undefined);
  const key = randomBytes(32).toString('hex');
  const accepted = randomBytes(32).toString('hex');
  const env = loadControlPlaneEnv({ ...base, SECRETS_ENCRYPTION_KEY: key, SECRETS_ENCRYPTION_ACCEPTED_KEY: accepted }, fail);
  assert.deepEqual([env.SECRETS_ENCRYPTION_KEY, env.SECRETS_ENCRYPTION_ACCEPTED_KEY], [key, accepted]);
  assert.throws(() => loadControlPlaneEnv({ ...base, SECRETS_ENCRYPTION_KEY: 'short' }, fail), {
    message: `control-plane: invalid environment: SECRETS_ENCRYPTION_KEY must be at least 32 characters${HINT}`,
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, SECRETS_ENCRYPTION_KEY: key, SECRETS_ENCRYPTION_ACCEPTED_KEY: 'ab'.repeat(20) }, fail), {
    message: `control-plane: invalid environment: SECRETS_ENCRYPTION_ACCEPTED_KEY is one repeated pattern${HINT}`,
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, SECRETS_ENCRYPTION_ACCEPTED_KEY: accepted }, fail), {
    message: 'control-plane: invalid environment: SECRETS_ENCRYPTION_ACCEPTED_KEY needs SECRETS_ENCRYPTION_KEY (the key that replaces it)',
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
  assert.equal(result.stderr.trim(), `control-plane: invalid environment: PLATFORM_JWT_SECRET must be at least 32 characters${HINT}`);
});

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs the real entry with `env`; it must stop before touching the database. */
async function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

async function assertRefused(cases: [Record<string, string>, RegExp][]): Promise<void> {
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(
      cases.slice(i, i + 4).map(async ([env, expected]) => {
        const result = await runMain({ ...base, ...env });
        assert.equal(result.code, 1, JSON.stringify(env));
        assert.match(result.stderr, expected, JSON.stringify(env));
        assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      }),
    );
  }
}

test('the program refuses secrets under 128 bits or made of one repeated pattern, each with one line', { timeout: 120_000 }, async () => {
  await assertRefused([
    [{ PLATFORM_JWT_SECRET: 'a'.repeat(32) }, /^control-plane: invalid environment: PLATFORM_JWT_SECRET is one repeated pattern/],
    [{ PLATFORM_JWT_SECRET: 'abc'.repeat(12) }, /PLATFORM_JWT_SECRET is one repeated pattern/],
    [{ PLATFORM_JWT_SECRET: '0123456789abcdef0123456789abcdef0123456789' }, /PLATFORM_JWT_SECRET is one repeated pattern/],
    [{ PLATFORM_JWT_SECRET: '31415926535897932384626433832795' }, /PLATFORM_JWT_SECRET is too weak: about 106 bits .*at least 128 needed/],
    [{ PLATFORM_JWT_ACCEPTED_SECRET: 'secret'.repeat(6) }, /PLATFORM_JWT_ACCEPTED_SECRET is one repeated pattern/],
  ]);
});

test('secrets from openssl rand -hex 32 and -base64 32 pass', () => {
  for (const secret of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64')]) {
    assert.equal(loadControlPlaneEnv({ ...base, PLATFORM_JWT_SECRET: secret, PLATFORM_JWT_ACCEPTED_SECRET: secret }, fail).PLATFORM_JWT_SECRET, secret);
  }
});

test('the program refuses sizes, timeouts and MAX_CONNECTIONS that are not positive integers, each with one line', { timeout: 180_000 }, async () => {
  const cases: [Record<string, string>, RegExp][] = [];
  for (const name of ['MAX_CONFIG_BYTES', 'HEADERS_TIMEOUT_MS', 'BODY_IDLE_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS', 'MAX_CONNECTIONS']) {
    for (const value of ['-5', '0', 'lots']) cases.push([{ [name]: value }, new RegExp(`^control-plane: invalid environment: ${name} must be a positive integer\n$`)]);
  }
  cases.push([{ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }, /HEADERS_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS/]);
  await assertRefused(cases);
});

test('the slow-client bounds default to 10 s, 10 s, 60 s and 10,000 connections', () => {
  const env = loadControlPlaneEnv(base, fail);
  assert.deepEqual(env.clientLimits, { headersTimeoutMs: 10_000, bodyIdleTimeoutMs: 10_000, requestTimeoutMs: 60_000, maxConnections: 10_000 });
  for (const value of ['1.5', '1e3', '-1', ' 7', '0x10']) {
    assert.throws(() => loadControlPlaneEnv({ ...base, MAX_CONFIG_BYTES: value }, fail), {
      message: 'control-plane: invalid environment: MAX_CONFIG_BYTES must be a positive integer',
    });
  }
});

test('REDIS_URL takes redis:// or rediss://; Redis TLS files need rediss:// and a client certificate needs its key', () => {
  assert.equal(loadControlPlaneEnv({ ...base, REDIS_URL: 'rediss://redis.example.com:6380' }, fail).REDIS_URL, 'rediss://redis.example.com:6380');
  assert.equal(loadControlPlaneEnv({ ...base, REDIS_URL: 'rediss://r:6380', REDIS_CA_FILE: '/etc/ca.pem' }, fail).REDIS_CA_FILE, '/etc/ca.pem');
  assert.throws(() => loadControlPlaneEnv({ ...base, REDIS_URL: 'http://redis.example.com' }, fail), {
    message: 'control-plane: invalid environment: REDIS_URL must be a redis:// or rediss:// (TLS) URL',
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, REDIS_URL: 'redis://r:6379', REDIS_CA_FILE: '/etc/ca.pem' }, fail), {
    message: 'control-plane: invalid environment: REDIS_CA_FILE needs a rediss:// REDIS_URL',
  });
  assert.throws(() => loadControlPlaneEnv({ ...base, REDIS_CA_FILE: '/etc/ca.pem' }, fail), /REDIS_CA_FILE needs a rediss:\/\/ REDIS_URL/);
  assert.throws(() => loadControlPlaneEnv({ ...base, REDIS_URL: 'rediss://r:6380', REDIS_CLIENT_KEY_FILE: '/etc/key.pem' }, fail), {
    message: 'control-plane: invalid environment: REDIS_CLIENT_CERT_FILE and REDIS_CLIENT_KEY_FILE must be set together',
  });
});

test('METRICS_PORT defaults to 9090, accepts 0 (any free port) and must not be the API port', () => {
  assert.equal(loadControlPlaneEnv(base, fail).METRICS_PORT, 9090);
  assert.equal(loadControlPlaneEnv({ ...base, METRICS_PORT: '0' }, fail).METRICS_PORT, 0);
  assert.throws(() => loadControlPlaneEnv({ ...base, METRICS_PORT: '70000' }, fail), /METRICS_PORT must be a port number/);
  assert.throws(() => loadControlPlaneEnv({ ...base, METRICS_PORT: '8080' }, fail), /METRICS_PORT must differ from PORT/);
});

test('DATABASE_POOL_MAX takes a whole number from 2 to 1000 and refuses anything else with one line', () => {
  assert.equal(loadControlPlaneEnv({ ...base, DATABASE_POOL_MAX: '50' }, fail).DATABASE_POOL_MAX, 50);
  for (const bad of ['0', '1', '-5', '2.5', 'twenty', '1001']) {
    assert.throws(() => loadControlPlaneEnv({ ...base, DATABASE_POOL_MAX: bad }, fail), {
      message: 'control-plane: invalid environment: DATABASE_POOL_MAX must be a whole number from 2 to 1000',
    });
  }
});
