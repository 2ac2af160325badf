import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestObject } from '../backends.js';
import { Unmet, type CheckContext } from '../expectations.js';
import type { ExtendedCheck } from './extended-check.js';
import { extendedRoute } from './routes.js';
import { runExtendedChecks, type ExtendedCluster } from './run-checks.js';

/** A cluster that records what is applied and deleted, and can refuse the apply. */
function recordingCluster(refuseApply = false) {
  const applied: string[] = [];
  const deleted: string[] = [];
  const cluster: ExtendedCluster = {
    async applyObjects(objects: readonly ManifestObject[]) {
      if (refuseApply) throw new Error('admission webhook said no');
      applied.push(...objects.map((object) => object.metadata.name));
    },
    async deleteObjects(objects: readonly ManifestObject[]) {
      deleted.push(...objects.map((object) => object.metadata.name));
    },
    echoRequests: () => [{ at: 0, pod: 'infra-backend-v2-x-y', namespace: 'gateway-conformance-infra', method: 'GET', path: '/seen', host: 'h', proto: 'HTTP/1.1', headers: {} }],
  };
  return { cluster, applied, deleted };
}

const check = (feature: string, run: ExtendedCheck['run']): ExtendedCheck => ({ feature, description: feature, routes: [extendedRoute(feature.toLowerCase(), [{}])], run });
const settings = (only: string[] = []) => ({
  only,
  timeoutMs: 1_000,
  log: () => undefined,
  contextFor: (deadline: number): CheckContext => ({ kube: null as never, controllerName: 'novagate.dev/gateway-controller', deadline, pollMs: 10, consecutiveSuccesses: 3 }),
});

test('every selected check runs with the echo log; its routes are applied first and deleted after; an Unmet or error fails only that check', async () => {
  const { cluster, applied, deleted } = recordingCluster();
  const outcomes = await runExtendedChecks(
    cluster,
    [
      check('Passes', async (context) => assert.equal(context.echoRequests()[0]?.path, '/seen')),
      check('Unmet', async () => {
        throw new Unmet('no copy reached infra-backend-v2');
      }),
      check('Crashes', async () => {
        throw new TypeError('bad');
      }),
    ],
    settings(),
  );
  assert.deepEqual(outcomes, [
    { feature: 'Passes', result: 'passed' },
    { feature: 'Unmet', result: 'failed', reason: 'no copy reached infra-backend-v2' },
    { feature: 'Crashes', result: 'failed', reason: 'error: bad' },
  ]);
  assert.deepEqual(applied, ['novagate-extended-passes', 'novagate-extended-unmet', 'novagate-extended-crashes']);
  assert.deepEqual(deleted, applied);
});

test('CONFORMANCE_TESTS selects own checks by feature name: the others are skipped, and none runs when it names none', async () => {
  const ran: string[] = [];
  const checks = [check('First', async () => void ran.push('First')), check('Second', async () => void ran.push('Second'))];
  const { cluster, applied } = recordingCluster();
  assert.deepEqual(await runExtendedChecks(cluster, checks, settings(['Second'])), [
    { feature: 'Second', result: 'passed' },
    { feature: 'First', result: 'skipped', reason: 'not in CONFORMANCE_TESTS' },
  ]);
  assert.deepEqual(applied, ['novagate-extended-second']);
  const none = await runExtendedChecks(recordingCluster().cluster, checks, settings(['HTTPRouteWeight']));
  assert.deepEqual(none.map((outcome) => outcome.result), ['skipped', 'skipped']);
  assert.deepEqual(ran, ['Second']);
});

test('routes the API server refuses fail every selected check with its words; nothing is reported passed', async () => {
  const { cluster } = recordingCluster(true);
  const outcomes = await runExtendedChecks(cluster, [check('One', async () => undefined), check('Two', async () => undefined)], settings());
  assert.deepEqual(outcomes, [
    { feature: 'One', result: 'failed', reason: 'error: admission webhook said no' },
    { feature: 'Two', result: 'failed', reason: 'error: admission webhook said no' },
  ]);
});
