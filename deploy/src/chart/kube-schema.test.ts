// The schema check itself: it must refuse what the API server would refuse, and kinds it does not know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaProblems } from './kube-schema.js';

test('a Deployment with a string containerPort is refused, naming the path', async () => {
  const problems = await schemaProblems({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bad' },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'b:1', ports: [{ containerPort: 'http' }] }] } } },
  });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^Deployment\/bad: .*containers\/0\/ports\/0\/containerPort must be integer/);
});

test('a ServiceMonitor and a Certificate are checked against their CRD schemas', async () => {
  assert.deepEqual(
    await schemaProblems({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'ok' }, spec: { selector: {}, endpoints: [{ port: 'metrics' }] } }),
    [],
  );
  const [problem] = await schemaProblems({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'bad' }, spec: { dnsNames: ['x'] } });
  assert.match(problem ?? '', /Certificate\/bad: .*secretName/);
});

test('a kind no schema package knows is reported instead of passing', async () => {
  assert.deepEqual(await schemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), [
    'Widget/w: no schema for example.com/v1 Widget',
  ]);
});

test('a field Kubernetes does not define is refused, wherever it is', async () => {
  const problems = await schemaProblems({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'typo', labels: { any: 'label' } },
    spec: {
      replcas: 2,
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'a', image: 'b:1', securityContext: { readOnlyRootFileSystem: true }, env: [{ name: 'A', value: 'b' }] }] },
      },
    },
  });
  assert.deepEqual(problems, [
    'Deployment/typo: unknown field spec.replcas',
    'Deployment/typo: unknown field spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem',
  ]);
});

test('autoscaling/v2 and policy/v1 kinds are checked for unknown fields too', async () => {
  assert.deepEqual(
    await schemaProblems({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3, targetCPU: 70 } }),
    ['HorizontalPodAutoscaler/h: unknown field spec.targetCPU'],
  );
  assert.deepEqual(await schemaProblems({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable: 1 } }), []);
});
