import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readiness } from './readiness.js';

const up = async () => true;
const down = async () => false;
const failing = async (): Promise<boolean> => {
  throw new Error('connect ECONNREFUSED');
};

test('readiness: 200 ready with everything up, 200 degraded naming an optional dependency, 503 naming a required one', async () => {
  assert.deepEqual(await readiness([{ name: 'database', required: true, check: up }, { name: 'redis', required: false, check: up }]), {
    statusCode: 200,
    body: { status: 'ready' },
  });
  assert.deepEqual(await readiness([{ name: 'database', required: true, check: up }, { name: 'redis', required: false, check: failing }]), {
    statusCode: 200,
    body: { status: 'degraded', down: ['redis'] },
  });
  assert.deepEqual(await readiness([{ name: 'database', required: true, check: failing }, { name: 'redis', required: false, check: down }]), {
    statusCode: 503,
    body: { status: 'unavailable', down: ['database', 'redis'] },
  });
});

test('readiness: a check that never answers counts as down instead of hanging the probe', async () => {
  const hung = () => new Promise<boolean>(() => undefined);
  assert.deepEqual(await readiness([{ name: 'database', required: true, check: up }, { name: 'redis', required: false, check: hung }]), {
    statusCode: 200,
    body: { status: 'degraded', down: ['redis'] },
  });
});
