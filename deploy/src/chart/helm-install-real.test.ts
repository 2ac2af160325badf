// `helm install` of charts/novagate against a real kube-apiserver (E2E_KUBE=real with KUBECONFIG, as .ci/run's
// real-server step sets them; skipped otherwise, helm-install.test.ts covers the API test server): the real
// server's validation, defaulting and strict field checks accept every rendered object of every documented values
// combination, helm upgrade patches them, and helm uninstall removes them. No controller-manager and no kubelet
// run, so nothing is scheduled: no `--wait`.
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectlFor, type Kubectl } from '@novagate/e2e/kube-api';
import { runHelmAgainst, type HelmRunResult } from '../tools.js';
import { chartDir, renderChart } from './render.js';
import { standInCrdRefs, standInCrdsYaml } from './stand-in-crds.js';

const kubeconfig = process.env.E2E_KUBE === 'real' ? (process.env.KUBECONFIG ?? '') : '';
const skip = kubeconfig === '' || !existsSync(kubeconfig) ? 'needs a real kube-apiserver: E2E_KUBE=real and KUBECONFIG (see .ci/run)' : false;
/** Namespaces cannot be deleted without a controller-manager (they stay Terminating): each run gets fresh ones. */
const runId = randomBytes(3).toString('hex');

let kubectl: Kubectl;
let home: string;

before(() => {
  if (skip !== false) return;
  kubectl = kubectlFor(kubeconfig);
  home = mkdtempSync(join(tmpdir(), 'novagate-helm-home-'));
});
after(() => {
  kubectl?.dispose();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});

function helm(args: string[]): Promise<HelmRunResult> {
  return runHelmAgainst(kubeconfig, home, args, 120_000);
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await kubectl.run(args, input);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The namespace and the Secrets the chart's values name, created as the README's "1. Secrets" does. */
async function createSecrets(namespace: string): Promise<void> {
  const secret = (name: string, type: string, stringData: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace }, stringData });
  const items = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    secret('novagate-control-plane', 'Opaque', { DATABASE_URL: 'postgres://novagate:pw@db.example.com:5432/novagate', PLATFORM_JWT_SECRET: randomBytes(48).toString('base64') }),
    secret('novagate-control-plane-tls', 'kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '', 'ca.crt': '' }),
    secret('novagate-gateway', 'Opaque', { GATEWAY_API_KEY: 'gw_tenant_0123456789abcdef0123456789abcdef', JWT_SECRET: randomBytes(48).toString('base64') }),
  ];
  await kubectlOk(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'List', items }));
}

/** The objects of the release's manifest the server holds now (`kubectl get -f` of helm's own manifest). */
async function liveObjects(namespace: string, manifest: string): Promise<string[]> {
  // kubectl get -f wants one namespace per call: group the objects by theirs (the release's when they name none).
  const byNamespace = new Map<string, unknown[]>();
  for (const document of parseAllDocuments(manifest)) {
    const object = document.toJS() as { metadata?: { namespace?: string } } | null;
    if (object === null) continue;
    const group = object.metadata?.namespace ?? namespace;
    byNamespace.set(group, [...(byNamespace.get(group) ?? []), object]);
  }
  const live: string[] = [];
  for (const [group, items] of byNamespace) {
    const listed = await kubectlOk(['-n', group, 'get', '-f', '-', '--ignore-not-found', '-o', 'name'], stringify({ apiVersion: 'v1', kind: 'List', items }));
    live.push(...listed.split('\n').filter((line) => line !== ''));
  }
  return live.sort();
}

/** Installs, checks every rendered object exists and no field was dropped as unknown, runs `whileInstalled`, uninstalls. */
async function installAndUninstall(release: string, namespace: string, valuesFiles: string[], whileInstalled?: () => Promise<void>, set: string[] = []): Promise<Set<string>> {
  await createSecrets(namespace);
  const others = new Set(renderChart({ valuesFiles, set }).map((object) => object.metadata.namespace).filter((name): name is string => name !== undefined && name !== 'novagate-system'));
  for (const other of others) await kubectlOk(['create', 'namespace', other, '--dry-run=client', '-o', 'yaml']).then((yaml) => kubectlOk(['apply', '-f', '-'], yaml));
  const valuesArgs = [...valuesFiles.flatMap((file) => ['--values', join(chartDir, file)]), ...set.flatMap((expression) => ['--set', expression])];
  const installed = await helm(['install', release, chartDir, '--namespace', namespace, ...valuesArgs]);
  assert.equal(installed.code, 0, installed.stderr);
  assert.match(installed.stdout, /STATUS: deployed/);
  // The real server warns about every field its schema does not know (and drops it): there must be none.
  assert.doesNotMatch(installed.stderr, /unknown field|duplicate field/i, installed.stderr);
  const manifest = (await helm(['get', 'manifest', release, '--namespace', namespace])).stdout;
  const rendered = renderChart({ valuesFiles, set, extraArgs: ['--namespace', namespace] }).filter((object) => object.kind !== 'CustomResourceDefinition');
  const live = await liveObjects(namespace, manifest);
  assert.equal(live.length, rendered.length, `every rendered object is stored: ${live.join(', ')}`);
  await whileInstalled?.();
  const uninstalled = await helm(['uninstall', release, '--namespace', namespace]);
  assert.equal(uninstalled.code, 0, uninstalled.stderr);
  assert.deepEqual(await liveObjects(namespace, manifest), [], 'helm uninstall removed every object');
  return new Set(rendered.map((object) => object.kind));
}

test('helm install of the default values on a real kube-apiserver stores every object, upgrades, and uninstalls', { skip }, async () => {
  const namespace = `novagate-${runId}`;
  const kinds = await installAndUninstall('novagate', namespace, [], async () => {
    const upgraded = await helm(['upgrade', 'novagate', chartDir, '--namespace', namespace, '--set', 'gateway.replicas=3']);
    assert.equal(upgraded.code, 0, upgraded.stderr);
    assert.match(upgraded.stdout, /REVISION: 2/);
    assert.equal(await kubectlOk(['-n', namespace, 'get', 'deployment', 'novagate-gateway', '-o', 'jsonpath={.spec.replicas}']), '3');
  });
  assert.ok(kinds.has('Deployment') && kinds.has('ClusterRole'), [...kinds].join(', '));
  for (const crd of ['tenants.novagate.dev', 'routes.novagate.dev', 'consumers.novagate.dev']) {
    assert.equal(await kubectlOk(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']), 'True', `${crd} is established`);
  }
});

test('helm install of the exposed, try-it-out values (LoadBalancer gateway, control plane Ingress, in-chart PostgreSQL) on a real kube-apiserver', { skip }, async () => {
  const namespace = `novagate-try-${runId}`;
  const set = [
    'gateway.service.type=LoadBalancer',
    'gateway.service.loadBalancerIP=203.0.113.7',
    'gateway.service.loadBalancerSourceRanges={10.0.0.0/8}',
    'gateway.service.externalTrafficPolicy=Local',
    'controlPlane.ingress.enabled=true',
    'controlPlane.ingress.host=api.example.com',
    'controlPlane.ingress.tls.secretName=api-tls',
    'postgresql.enabled=true',
  ];
  const kinds = await installAndUninstall('try', namespace, [], undefined, set);
  assert.ok(kinds.has('Ingress') && kinds.has('StatefulSet'), [...kinds].join(', '));
});

test('helm install of each documented values combination (charts/novagate/ci/*-values.yaml) on a real kube-apiserver', { skip }, async () => {
  await kubectlOk(['apply', '-f', '-'], standInCrdsYaml);
  await kubectlOk(['wait', '--for=condition=Established', ...standInCrdRefs, '--timeout=60s']);
  const files = readdirSync(join(chartDir, 'ci')).filter((file) => file.endsWith('-values.yaml')).sort();
  assert.ok(files.length >= 4, files.join(', '));
  const kinds = new Set<string>();
  for (const [index, file] of files.entries()) {
    for (const kind of await installAndUninstall(`ci-${index}-${runId}`, `novagate-ci-${index}-${runId}`, [`ci/${file}`])) kinds.add(kind);
  }
  for (const kind of ['DaemonSet', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'PrometheusRule', 'Certificate']) {
    assert.ok(kinds.has(kind), `some combination installs a ${kind}`);
  }
});
