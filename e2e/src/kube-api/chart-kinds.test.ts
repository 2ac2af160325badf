// The built-in kinds a Helm chart such as charts/novagate installs besides Deployments and Services:
// DaemonSets, PodDisruptionBudgets, NetworkPolicies and HorizontalPodAutoscalers are served, stored and
// versioned like their Kubernetes counterparts (nothing acts on them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApi } from './api.js';
import type { ResourceType } from './resource-types.js';

const writer = { manager: 'test' };

function type(api: KubeApi, group: string, version: string, plural: string): ResourceType {
  const found = api.types.find(group, version, plural);
  assert.ok(found, `${group}/${version}/${plural} is served`);
  return found;
}

const kinds = [
  { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', shortName: 'ds', spec: { selector: { matchLabels: { app: 'gw' } }, template: { metadata: { labels: { app: 'gw' } }, spec: { containers: [{ name: 'gw', image: 'gw:1' }] } } } },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortName: 'pdb', spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'gw' } } } },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', shortName: 'netpol', spec: { podSelector: { matchLabels: { app: 'gw' } }, policyTypes: ['Ingress'] } },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortName: 'hpa', spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gw' }, minReplicas: 2, maxReplicas: 4 } },
];

test('DaemonSet, PodDisruptionBudget, NetworkPolicy and HorizontalPodAutoscaler are served, namespaced, with their short names', () => {
  const api = new KubeApi();
  for (const kind of kinds) {
    const served = type(api, kind.group, kind.version, kind.plural);
    assert.equal(served.kind, kind.kind);
    assert.ok(served.namespaced);
    assert.deepEqual(served.shortNames, [kind.shortName]);
    const apiVersion = `${kind.group}/${kind.version}`;
    const created = api.create(served, 'default', { apiVersion, kind: kind.kind, metadata: { name: 'gw' }, spec: kind.spec }, writer);
    assert.deepEqual(created.spec, kind.spec);
    assert.deepEqual(api.get(served, 'default', 'gw').spec, kind.spec);
    api.delete(served, 'default', 'gw', {});
    assert.equal(api.store.get(`${kind.group}/${kind.plural}`, 'default', 'gw'), undefined);
  }
});

test('a PodDisruptionBudget bumps its generation on spec changes and keeps status to its subresource', () => {
  const api = new KubeApi();
  const pdbs = type(api, 'policy', 'v1', 'poddisruptionbudgets');
  const created = api.create(pdbs, 'default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'gw' }, spec: { maxUnavailable: 1 }, status: { currentHealthy: 9 } }, writer);
  assert.equal(created.metadata.generation, 1);
  const changed = api.patch(pdbs, 'default', 'gw', 'merge', JSON.stringify({ spec: { maxUnavailable: 2 }, status: { currentHealthy: 5 } }), writer);
  assert.equal(changed.metadata.generation, 2);
  assert.notEqual((changed.status as { currentHealthy?: number } | undefined)?.currentHealthy, 5, 'the main endpoint ignores status');
  const status = api.patch(pdbs, 'default', 'gw', 'merge', JSON.stringify({ status: { currentHealthy: 2 } }), writer, 'status');
  assert.equal((status.status as { currentHealthy?: number }).currentHealthy, 2);
  assert.equal(status.metadata.generation, 2);
});
