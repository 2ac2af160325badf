// The Helm extra: `helm install`, `upgrade` and `uninstall` of a chart with a CRD, RBAC, a Deployment and a custom resource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startKubeApiServer, type KubeApiServer } from './index.js';
import { tenantCrd } from './test-fixtures.js';

/** helm from PATH, or the one `npm run tools:helm -w e2e` unpacks into hack/tools (helm is not part of CI's image). */
function findHelm(): string | undefined {
  const unpacked = fileURLToPath(new URL('../../../hack/tools/helm/helm', import.meta.url));
  for (const candidate of [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'helm')), unpacked]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

const helm = findHelm();
const skip = helm ? false : 'helm not found on PATH or in hack/tools: run `npm run tools:helm -w e2e` to unpack it';

let server: KubeApiServer;
let home: string;

before(async () => {
  server = await startKubeApiServer();
  home = mkdtempSync(join(tmpdir(), 'helm-home-'));
});
after(async () => {
  await server.stop();
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, KUBECONFIG: server.kubeconfigPath, HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  return new Promise((resolve) => {
    execFile(helm ?? 'helm', args, { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

function writeChart(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'crds'));
  writeFileSync(join(dir, 'Chart.yaml'), stringify({ apiVersion: 'v2', name: 'novagate-demo', version: '0.1.0' }));
  writeFileSync(join(dir, 'crds', 'tenants.yaml'), stringify(tenantCrd()));
  const templates = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: '{{ .Release.Name }}-operator' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '{{ .Release.Name }}-config' }, data: { logLevel: '{{ .Values.logLevel | default "info" }}' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: '{{ .Release.Name }}-operator' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: '{{ .Release.Name }}-operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: '{{ .Release.Name }}-operator' }, subjects: [{ kind: 'ServiceAccount', name: '{{ .Release.Name }}-operator' }] },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: '{{ .Release.Name }}-operator' }, spec: { replicas: 1, selector: { matchLabels: { app: 'operator' } }, template: { metadata: { labels: { app: 'operator' } }, spec: { serviceAccountName: '{{ .Release.Name }}-operator', containers: [{ name: 'operator', image: 'novagate/operator:dev' }] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: '{{ .Release.Name }}-metrics' }, spec: { selector: { app: 'operator' }, ports: [{ port: 8080 }] } },
    { apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', metadata: { name: '{{ .Release.Name }}-tenant' }, spec: { displayName: 'Demo', plan: 'pro' } },
  ];
  writeFileSync(join(dir, 'templates', 'all.yaml'), templates.map((t) => stringify(t)).join('---\n'));
  return dir;
}

test('helm install, upgrade and uninstall a chart with a CRD, RBAC, a Deployment and a custom resource', { skip }, async () => {
  const chart = writeChart();
  const installed = await run(['install', 'demo', chart, '--namespace', 'default']);
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /STATUS: deployed/);
  assert.ok(server.api.store.get('/secrets', 'default', 'sh.helm.release.v1.demo.v1'), 'helm stored its release in a Secret');
  assert.ok(server.api.store.get('novagate.dev/tenants', 'default', 'demo-tenant'));
  assert.ok(server.api.store.get('apps/deployments', 'default', 'demo-operator'));

  const upgraded = await run(['upgrade', 'demo', chart, '--namespace', 'default', '--set', 'logLevel=debug']);
  assert.equal(upgraded.code, 0, upgraded.stderr);
  assert.match(upgraded.stdout, /REVISION: 2/);
  assert.deepEqual(server.api.store.get('/configmaps', 'default', 'demo-config')?.data, { logLevel: 'debug' });

  const listed = await run(['list', '--namespace', 'default']);
  assert.match(listed.stdout, /demo\s+default\s+2\s+.*deployed/);

  const uninstalled = await run(['uninstall', 'demo', '--namespace', 'default']);
  assert.equal(uninstalled.code, 0, uninstalled.stderr);
  assert.equal(server.api.store.get('apps/deployments', 'default', 'demo-operator'), undefined);
  assert.equal(server.api.store.get('novagate.dev/tenants', 'default', 'demo-tenant'), undefined);
  assert.equal(server.api.store.list('/secrets', 'default').filter((s) => s.metadata.name?.startsWith('sh.helm.release')).length, 0);
  assert.ok(server.api.store.get('apiextensions.k8s.io/customresourcedefinitions', '', 'tenants.novagate.dev'), 'helm keeps CRDs from crds/');
});
