import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadOperatorEnv } from './env.js';

const fail = (line: string): never => {
  throw new Error(line);
};

test('the defaults of DESIGN §8 apply when only DATABASE_URL is set', () => {
  const env = loadOperatorEnv({ DATABASE_URL: 'postgres://db/novagate' }, fail);
  assert.equal(env.WATCH_NAMESPACE, '');
  assert.equal(env.LEADER_ELECTION, true);
  assert.equal(env.METRICS_PORT, 8081);
  assert.equal(env.LOG_LEVEL, 'info');
});

test('a missing or bad value stops the process with one line naming every offending variable', () => {
  assert.throws(
    () => loadOperatorEnv({ WATCH_NAMESPACE: 'Not_A_Namespace', METRICS_PORT: 'x' }, fail),
    (error: Error) =>
      !error.message.includes('\n') &&
      /^operator: invalid environment: /.test(error.message) &&
      /DATABASE_URL is required/.test(error.message) &&
      /WATCH_NAMESPACE/.test(error.message) &&
      /METRICS_PORT/.test(error.message),
  );
});
