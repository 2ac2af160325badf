// `helm install` of charts/novagate against the project's Kubernetes API test server (@novagate/e2e/kube-api):
// the Secrets the chart reads are created first (with kubectl, as the README says), the release installs,
// every rendered object is stored, the chart's CRDs are established, and `helm uninstall` removes the
// release (and keeps the CRDs, as Helm does). No `--wait`: the test server runs no pods.
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubectlFor, startKubeApiServer, type Kubectl, type KubeApiServer } from '@novagate/e2e/kube-api';
import { runHelmAgainst, type HelmRunResult } from '../tools.js';
import { chartDir, componentName, releaseName, renderChart, type KubeObject, type RenderOptions } from './render.js';
import { standInCrdsYaml } from './stand-in-crds.js';

let server: KubeApiServer;
let kubectl: Kubectl;
let home: string;

before(async () => {
  server = await startKubeApiServer();
  kubectl = kubectlFor(server.kubeconfigPath);
  home = mkdtempSync(join(tmpdir(), 'novagate-helm-home-'));
});
after(async () => {
  kubectl?.dispose();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
  await server?.stop();
});

function helm(args: string[]): Promise<HelmRunResult> {
  return runHelmAgainst(server.kubeconfigPath, home, args, 60_000);
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await kubectl.run(args, input);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The Secrets the chart's values name, created as the README's "1. Secrets" does. */
async function createSecrets(namespace: string): Promise<void> {
  await kubectlOk(['create', 'namespace', namespace]);
  await kubectlOk(['-n', namespace, 'create', 'secret', 'generic', 'novagate-control-plane', '--from-literal=DATABASE_URL=postgres://novagate:pw@db.example.com:5432/novagate', `--from-literal=PLATFORM_JWT_SECRET=${randomBytes(48).toString('base64')}`]);
  const tls = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'novagate-control-plane-tls', namespace }, stringData: { 'tls.crt': 'test', 'tls.key': 'test', 'ca.crt': 'test' } };
  await kubectlOk(['apply', '-f', '-'], stringify(tls));
  await kubectlOk(['-n', namespace, 'create', 'secret', 'generic', 'novagate-gateway', '--from-literal=GATEWAY_API_KEY=gw_tenant_0123456789abcdef0123456789abcdef', `--from-literal=JWT_SECRET=${randomBytes(48).toString('base64')}`]);
}

/** The store key (group/plural) of a rendered object's kind on the test server. */
function storeKey(object: KubeObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  const plural = object.kind === 'NetworkPolicy' ? 'networkpolicies' : `${object.kind.toLowerCase()}s`;
  return `${group}/${plural}`;
}

function stored(object: KubeObject, namespace: string): boolean {
  const namespaced = !['ClusterRole', 'ClusterRoleBinding'].includes(object.kind);
  return server.api.store.get(storeKey(object), namespaced ? (object.metadata.namespace ?? namespace) : '', object.metadata.name) !== undefined;
}

const releaseSecrets = (namespace: string) => server.api.store.list('/secrets', namespace).filter((secret) => secret.metadata.name?.startsWith('sh.helm.release.v1.'));

async function installAndUninstall(namespace: string, options: RenderOptions, whileInstalled?: () => Promise<void>): Promise<KubeObject[]> {
  const valuesArgs = (options.valuesFiles ?? []).flatMap((file) => ['--values', join(chartDir, file)]);
  const installed = await helm(['install', releaseName, chartDir, '--namespace', namespace, ...valuesArgs]);
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /STATUS: deployed/);
  assert.equal(releaseSecrets(namespace).length, 1, 'helm stored its release');
  assert.match((await helm(['status', releaseName, '--namespace', namespace])).stdout, /STATUS: deployed/);

  // What `helm template` renders for the same values is what the server now holds.
  const rendered = renderChart({ ...options, extraArgs: ['--namespace', namespace] }).filter((object) => object.kind !== 'CustomResourceDefinition');
  for (const object of rendered) assert.ok(stored(object, namespace), `${object.kind}/${object.metadata.name} was created`);
  const listed = await kubectlOk(['-n', namespace, 'get', 'deployments,services,serviceaccounts', '-o', 'name']);
  for (const object of rendered.filter((candidate) => ['Deployment', 'Service', 'ServiceAccount'].includes(candidate.kind))) {
    assert.match(listed, new RegExp(`^${object.kind.toLowerCase()}(\\.apps)?/${object.metadata.name}$`, 'm'), `kubectl lists ${object.kind}/${object.metadata.name}`);
  }

  await whileInstalled?.();
  const uninstalled = await helm(['uninstall', releaseName, '--namespace', namespace]);
  assert.equal(uninstalled.code, 0, uninstalled.stderr);
  for (const object of rendered) assert.ok(!stored(object, namespace), `${object.kind}/${object.metadata.name} was deleted`);
  assert.deepEqual(releaseSecrets(namespace), []);
  // The Secrets the user made are theirs: helm leaves them.
  assert.ok(server.api.store.get('/secrets', namespace, 'novagate-control-plane'));
  return rendered;
}

const chartCrdNames = (): string[] =>
  readdirSync(join(chartDir, 'crds'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => (parse(readFileSync(join(chartDir, 'crds', file), 'utf8')) as KubeObject).metadata.name)
    .sort();

test('helm install with the default values succeeds, establishes the chart CRDs, and helm uninstall removes the release', async () => {
  await createSecrets('novagate');
  const rendered = await installAndUninstall('novagate', {}, async () => {
    // helm upgrade patches what it installed (three-way merge) and records revision 2.
    const upgraded = await helm(['upgrade', releaseName, chartDir, '--namespace', 'novagate', '--set', 'gateway.replicas=3']);
    assert.equal(upgraded.code, 0, upgraded.stderr);
    assert.match(upgraded.stdout, /REVISION: 2/);
    const gateway = server.api.store.get('apps/deployments', 'novagate', componentName('gateway')) as { spec?: { replicas?: number } } | undefined;
    assert.equal(gateway?.spec?.replicas, 3);
    assert.equal(releaseSecrets('novagate').length, 2);
  });
  assert.deepEqual([...new Set(rendered.map((object) => object.kind))].sort(), ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);

  const crds = chartCrdNames();
  assert.deepEqual(crds, ['consumers.novagate.dev', 'gatewayparameters.novagate.dev', 'novagatepolicies.novagate.dev', 'routes.novagate.dev', 'tenants.novagate.dev']);
  const listed = await kubectlOk(['get', 'crd', '-o', 'name']);
  for (const crd of crds) {
    assert.ok(listed.includes(`customresourcedefinition.apiextensions.k8s.io/${crd}`), `kubectl get crd lists ${crd}`);
    const established = await kubectlOk(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    assert.equal(established, 'True', `${crd} is established`);
  }
  // The CRDs serve their kinds: the API knows Tenant after the install.
  assert.match(await kubectlOk(['api-resources', '--api-group=novagate.dev', '-o', 'name']), /tenants\.novagate\.dev/);
});

test('helm install refuses a misspelt value with a message naming it, and creates nothing', async () => {
  await createSecrets('novagate-typo');
  const refused = await helm(['install', 'typo', chartDir, '--namespace', 'novagate-typo', '--set', 'gateway.replcas=3']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /replcas/);
  assert.deepEqual(releaseSecrets('novagate-typo'), []);
  assert.deepEqual(server.api.store.list('apps/deployments', 'novagate-typo'), []);
});

const ciValuesFiles = readdirSync(join(chartDir, 'ci')).filter((file) => file.endsWith('-values.yaml')).sort();

test('helm install and uninstall each documented values combination (charts/novagate/ci/*-values.yaml)', async () => {
  assert.ok(ciValuesFiles.length >= 4, ciValuesFiles.join(', '));
  await kubectlOk(['apply', '-f', '-'], standInCrdsYaml);
  const kinds = new Set<string>();
  for (const [index, file] of ciValuesFiles.entries()) {
    const namespace = `novagate-ci-${index}`;
    await createSecrets(namespace);
    // Namespaces the values point at besides the release's (the dashboard's, a watched namespace) exist first.
    const others = new Set(renderChart({ valuesFiles: [`ci/${file}`] }).map((object) => object.metadata.namespace).filter((name): name is string => name !== undefined && name !== 'novagate-system'));
    for (const other of others) if (server.api.store.get('/namespaces', '', other) === undefined) await kubectlOk(['create', 'namespace', other]);
    const rendered = await installAndUninstall(namespace, { valuesFiles: [`ci/${file}`] });
    for (const object of rendered) kinds.add(object.kind);
  }
  for (const kind of ['DaemonSet', 'PodDisruptionBudget', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule', 'Certificate', 'ConfigMap']) {
    assert.ok(kinds.has(kind), `some combination installs a ${kind}`);
  }
});
