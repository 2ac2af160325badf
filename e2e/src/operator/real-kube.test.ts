// Choosing the API server of the operator e2e suite, and the chart RBAC the operator runs with on a real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATOR_SERVICE_ACCOUNT, realKubeconfigPath, renderOperatorRbac } from './real-kube.js';

test('the API test server is the default; E2E_KUBE=real takes the KUBECONFIG file it names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'real-kube-'));
  try {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n');
    assert.equal(realKubeconfigPath({}), null);
    assert.equal(realKubeconfigPath({ E2E_KUBE: 'test', KUBECONFIG: path }), null);
    assert.equal(realKubeconfigPath({ E2E_KUBE: 'real', KUBECONFIG: path }), path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('E2E_KUBE=real without a kubeconfig file, or an unknown E2E_KUBE, is refused with one line saying what to set', () => {
  assert.throws(() => realKubeconfigPath({ E2E_KUBE: 'real' }), /E2E_KUBE=real needs KUBECONFIG naming an admin kubeconfig/);
  assert.throws(() => realKubeconfigPath({ E2E_KUBE: 'real', KUBECONFIG: '/nonexistent/kubeconfig' }), /E2E_KUBE=real needs KUBECONFIG/);
  assert.throws(() => realKubeconfigPath({ E2E_KUBE: 'kind' }), /E2E_KUBE must be "real" or "test", not "kind"/);
});

test('the operator runs on the real server as the chart renders it: its ServiceAccount and RBAC, nothing else', () => {
  const list = JSON.parse(renderOperatorRbac()) as { items: { kind: string; metadata: { name: string }; subjects?: { name: string }[] }[] };
  const kinds = list.items.map((item) => item.kind).sort();
  assert.deepEqual(kinds, ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']);
  assert.ok(list.items.some((item) => item.kind === 'ServiceAccount' && item.metadata.name === OPERATOR_SERVICE_ACCOUNT));
  for (const binding of list.items.filter((item) => item.kind.endsWith('Binding'))) {
    assert.deepEqual(binding.subjects?.map((subject) => subject.name), [OPERATOR_SERVICE_ACCOUNT]);
  }
});
