// The operator started before its CRDs are installed (issue 13): one line naming the missing CRDs and how to
// install them, not ready until they exist, retries with backoff, and reconciling once they are applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { createLogger, startOperator, type Operator } from '@novagate/operator';
import { kubectlFor, startKubeApiServer, type KubeApiServer, type Kubectl } from '../kube-api/index.js';
import { CRDS_DIR, waitFor } from './harness.js';

let kube: KubeApiServer;
let kubectl: Kubectl;
let db: TestDatabase;
let operator: Operator;
const lines: Array<{ level: string; message: string; missingCrds?: string[] }> = [];

before(async () => {
  [kube, db] = await Promise.all([startKubeApiServer(), createTestDatabase()]);
  kubectl = kubectlFor(kube.kubeconfigPath);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kube.kubeconfig);
  operator = await startOperator({
    kubeConfig,
    pool: db.pool,
    log: createLogger('debug', (line) => lines.push(JSON.parse(line) as (typeof lines)[number])),
    leaderElection: null,
    metricsPort: 0,
    metricsHost: '127.0.0.1',
  });
});
after(async () => {
  await operator?.stop();
  kubectl?.dispose();
  await kube?.stop();
  await db?.drop();
});

const readyz = async () => {
  const response = await fetch(`http://127.0.0.1:${operator.healthPort}/readyz`);
  return { status: response.status, body: await response.text() };
};
const retriedLists = () => lines.filter((line) => line.level === 'debug' && /^listing (tenants|routes|consumers) failed$/.test(line.message)).length;

test('without its CRDs the operator says once, in one line, which are missing and how to install them', async () => {
  // Each of the three lists has failed at least twice: the first attempt and a retry after backoff.
  await waitFor(() => retriedLists() >= 6, 'the informers to retry their lists');
  const warnings = lines.filter((line) => line.level === 'warn' || line.level === 'error');
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0]?.message ?? '', /^CRDs not installed: consumers\.novagate\.dev, routes\.novagate\.dev, tenants\.novagate\.dev; install them with `kubectl apply -f crds\/`/);
  assert.deepEqual(warnings[0]?.missingCrds, ['consumers.novagate.dev', 'routes.novagate.dev', 'tenants.novagate.dev']);
  assert.ok(!lines.some((line) => line.level !== 'debug' && JSON.stringify(line).includes('Unknown API Status Code')), 'no raw 404 line above debug');
  // The NovaGatePolicy CRD is optional (an upgraded release may lack it): one info line, no warning, not in readyz.
  await waitFor(() => lines.some((line) => line.level === 'info' && line.message.startsWith('novagatepolicies.novagate.dev is not installed; NovaGatePolicies are not applied')), 'the optional CRD line');
});

test('without its CRDs the operator is not ready, and /readyz names them', async () => {
  const { status, body } = await readyz();
  assert.equal(status, 503);
  assert.equal(body, 'not ready: CRDs not installed: consumers.novagate.dev, routes.novagate.dev, tenants.novagate.dev\n');
});

test('once the CRDs are applied the operator becomes ready and reconciles, without restarting', async () => {
  const applied = await kubectl.run(['apply', '-f', CRDS_DIR]);
  assert.equal(applied.code, 0, applied.stderr);
  await waitFor(async () => (await readyz()).status === 200, '/readyz to answer 200', 60_000);
  assert.ok(lines.some((line) => line.level === 'info' && line.message === 'NovaGate CRDs found; reconciling'));
  const created = await kubectl.run(['apply', '-f', `${CRDS_DIR}examples/tenant.yaml`]);
  assert.equal(created.code, 0, created.stderr);
  const ready = await kubectl.run(['wait', '--for=condition=Ready', 'tenant/acme', '--timeout=60s']);
  assert.equal(ready.code, 0, ready.stderr);
});
