// The typed fields a real kube-apiserver decodes (MicroTime, Time, quantities, int-or-string, names), sent to it and
// to the Kubernetes API test server alike: both must answer the same way, and the operator's Events must pass both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeAccess } from '@novagate/operator';
import { kubectlFor, startKubeApiServer, type KubeApiServer, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from './real-api-server.js';

let real: RealApiServer | undefined;
let fake: KubeApiServer | undefined;
let realKubectl: Kubectl;
let fakeKubectl: Kubectl;

before(async () => {
  if (skipReason !== false) return;
  [real, fake] = await Promise.all([startRealApiServer(), startKubeApiServer()]);
  realKubectl = kubectlFor(real.kubeconfigPath);
  fakeKubectl = kubectlFor(fake.kubeconfigPath);
});
after(async () => {
  realKubectl?.dispose();
  fakeKubectl?.dispose();
  await Promise.all([real?.stop(), fake?.stop()]);
});

const event = (name: string, fields: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'ConfigMap', name: 'acme', namespace: 'default' },
  reason: 'Provisioned',
  message: 'm',
  type: 'Normal',
  source: { component: 'c' },
  ...fields,
});
const deployment = (name: string, memory: string, maxSurge: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { memory } } }] } },
  },
});
const pdb = (name: string, minAvailable: unknown) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default' }, spec: { minAvailable, selector: { matchLabels: { a: 'b' } } } });
const service = (name: string, targetPort: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80, targetPort }] } });
const lease = (name: string, renewTime: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'default' }, spec: { holderIdentity: 'a', renewTime } });

/** Case name → object; each answered created, BadRequest (400) or Invalid (422) by the real server and the test server. */
const cases: Array<[string, Record<string, unknown>]> = [
  ['eventTime with six digits', event('e-micro', { eventTime: '2026-11-29T17:21:33.572000Z', reportingComponent: 'c', reportingInstance: 'c', action: 'A' })],
  ['eventTime with milliseconds', event('e-milli', { eventTime: '2026-11-29T17:21:33.572Z' })],
  ['eventTime without a fraction', event('e-whole', { eventTime: '2026-11-29T17:21:33Z' })],
  ['firstTimestamp with milliseconds', event('e-first', { firstTimestamp: '2026-11-29T17:21:33.572Z' })],
  ['firstTimestamp not a time', event('e-bad-first', { firstTimestamp: 'yesterday' })],
  ['lease renewTime with milliseconds', lease('l-milli', '2026-11-29T17:21:33.572Z')],
  ['lease renewTime with six digits', lease('l-micro', '2026-11-29T17:21:33.572000Z')],
  ['memory limit 128Mi', deployment('d-ok', '128Mi', '25%')],
  ['memory limit 12xyz', deployment('d-quantity', '12xyz', 1)],
  ['maxSurge 1x%', deployment('d-surge', '1Gi', '1x%')],
  ['minAvailable 50%', pdb('p-ok', '50%')],
  ['minAvailable 1x%', pdb('p-percent', '1x%')],
  ['minAvailable true', pdb('p-bool', true)],
  ['targetPort http', service('s-ok', 'http')],
  ['targetPort Http_X', service('s-name', 'Http_X')],
  ['name Bad_Name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } }],
  ['ConfigMap name a.b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b', namespace: 'default' } }],
  ['Service name a.b', service('a.b', 80)],
  ['Service name 1abc', service('1abc', 80)],
  ['Namespace name a.b', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }],
  ['ClusterRole name system:controller:Novagate_x', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:controller:Novagate_x' }, rules: [] }],
  ['ClusterRole name ..', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: '..' }, rules: [] }],
];

function outcome(result: { code: number | null; stdout: string; stderr: string }): string {
  if (result.code === 0) return 'created';
  if (/\(BadRequest\)/.test(result.stderr)) return 'BadRequest';
  if (/is invalid/.test(result.stderr)) return 'Invalid';
  return `other: ${result.stderr.trim()}`;
}

test('the test server answers typed fields (MicroTime, Time, quantity, int-or-string, names) as a real kube-apiserver does', { skip: skipReason }, async () => {
  const differences: string[] = [];
  for (const [name, object] of cases) {
    const body = JSON.stringify(object);
    const [onReal, onFake] = [outcome(await realKubectl.run(['create', '-f', '-'], body)), outcome(await fakeKubectl.run(['create', '-f', '-'], body))];
    if (onReal !== onFake) differences.push(`${name}: real ${onReal}, test server ${onFake}`);
  }
  assert.deepEqual(differences, []);
  // What is stored is what Go writes: Time in whole seconds, MicroTime with six digits.
  for (const kubectl of [realKubectl, fakeKubectl]) {
    const first = await kubectl.run(['get', 'event', 'e-first', '-o', 'jsonpath={.firstTimestamp}']);
    const micro = await kubectl.run(['get', 'event', 'e-micro', '-o', 'jsonpath={.eventTime}']);
    assert.deepEqual([first.stdout, micro.stdout], ['2026-11-29T17:21:33Z', '2026-11-29T17:21:33.572000Z']);
  }
});

test('the operator records Events a real kube-apiserver accepts, and kubectl events lists them', { skip: skipReason }, async () => {
  assert.ok(real);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(real.kubeconfigPath);
  const failures: unknown[] = [];
  const kube = new KubeAccess(kubeConfig, '', undefined, (error) => failures.push(error));
  const created = await realKubectl.run(['create', 'configmap', 'users']);
  assert.equal(created.code, 0, created.stderr);
  const uid = (await realKubectl.run(['get', 'configmap', 'users', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  await kube.recordEvent({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'users', namespace: 'default', uid } }, 'Warning', 'TenantNotFound', 'Accepted: tenant "acme" not found');
  assert.deepEqual(failures, []);
  const listed = await realKubectl.run(['events', '--for', 'configmap/users']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /Warning\s+TenantNotFound\s+ConfigMap\/users\s+Accepted: tenant "acme" not found/);
  const eventTime = await realKubectl.run(['get', 'events', '--field-selector', 'involvedObject.name=users', '-o', 'jsonpath={.items[0].eventTime}']);
  assert.match(eventTime.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});
