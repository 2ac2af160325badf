import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createConfigStore } from '../pipeline/config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';
import { createLogger } from '../telemetry/logger.js';
import { writeConfigFile } from '../testing/gateway-process.js';
import { startStandaloneSource } from './standalone-source.js';

const storeDeps = {
  tenant: 'default',
  jwtSecret: undefined,
  rateLimitBackend: createMemoryBackend(),
  failureMode: 'open' as const,
  now: Date.now,
  onRateLimitBackendError: () => undefined,
  onRateLimited: () => undefined,
};
const config = (url: string) => ({ services: [{ name: 'up', url }], routes: [{ name: 'r', service: 'up', paths: ['/x'] }] });
const silent = () => createLogger({ level: 'error', flushIntervalMs: 0, output: { write: () => true, once: () => undefined } });

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), what);
}

test('the file is applied at start, re-applied when it changes, and a broken rewrite leaves the last good config serving', async () => {
  const file = writeConfigFile(config('http://127.0.0.1:1'));
  const store = createConfigStore(storeDeps);
  let fileRejections = 0;
  const source = await startStandaloneSource({ file, maxConfigBytes: 1024 * 1024, store, logger: silent(), onFileRejected: () => (fileRejections += 1) });
  assert.ok(source.ok);
  try {
    assert.equal(store.current()?.config.services[0]?.url, 'http://127.0.0.1:1');
    writeFileSync(file, JSON.stringify(config('http://127.0.0.1:2')));
    await eventually(() => store.current()?.config.services[0]?.url === 'http://127.0.0.1:2', 'the changed file is applied');
    writeFileSync(file, '{"services": [');
    await eventually(() => fileRejections === 1, 'the broken file is counted');
    assert.equal(store.current()?.config.services[0]?.url, 'http://127.0.0.1:2');
  } finally {
    source.stop();
  }
});

test('a file that cannot start the gateway is reported with its problems and nothing is applied', async () => {
  const store = createConfigStore(storeDeps);
  const logger = silent();
  const unreadable = await startStandaloneSource({ file: '/nonexistent/gateway.json', maxConfigBytes: 1024, store, logger, onFileRejected: () => undefined });
  assert.deepEqual(unreadable.ok ? [] : unreadable.problems.map((p) => p.message), ['cannot read config file /nonexistent/gateway.json: ENOENT']);
  const invalid = await startStandaloneSource({ file: writeConfigFile({ routes: 'no' }), maxConfigBytes: 1024, store, logger, onFileRejected: () => undefined });
  assert.equal(invalid.ok, false);
  assert.equal(store.current(), undefined);
});
