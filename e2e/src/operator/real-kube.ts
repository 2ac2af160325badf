// The operator e2e suite on a real kube-apiserver (E2E_KUBE=real, KUBECONFIG of an admin): leftovers of an earlier
// file removed from namespace default, the chart's own operator ServiceAccount and RBAC applied (rendered by
// `helm template`), and a kubeconfig for the operator carrying that ServiceAccount's token, so the chart's
// least-privilege rules are what the operator runs with.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubectlOk, type Kubectl } from '../kube-api/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHART_DIR = `${REPO_ROOT}charts/novagate`;
/** The release the harness renders the chart's RBAC as; the operator's ServiceAccount is `<release>-operator`. */
const RELEASE = 'novagate';
export const OPERATOR_SERVICE_ACCOUNT = `${RELEASE}-operator`;
/** The namespace every test object lives in (the tests name it); the release's too, so the leader-election Role covers it. */
const NAMESPACE = 'default';
const NOVAGATE_KINDS = ['tenants', 'routes', 'consumers'];

/** Which API server the suite runs against: the project's test server unless E2E_KUBE=real names a real one. */
export function realKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.E2E_KUBE === undefined || env.E2E_KUBE === '' || env.E2E_KUBE === 'test') return null;
  if (env.E2E_KUBE !== 'real') throw new Error(`E2E_KUBE must be "real" or "test", not ${JSON.stringify(env.E2E_KUBE)}`);
  const path = env.KUBECONFIG;
  if (path === undefined || path === '' || !existsSync(path)) {
    throw new Error('E2E_KUBE=real needs KUBECONFIG naming an admin kubeconfig of a running kube-apiserver (eval "$(../shared/kube/start.sh)")');
  }
  return path;
}

/**
 * Empties namespace default of what an earlier test file left (each file starts its own database, so its
 * operator must not meet another file's Tenants). No controller-manager runs, so finalizers are removed by hand.
 */
export async function cleanNamespace(kubectl: Kubectl): Promise<void> {
  const crds = await kubectlOk(kubectl, ['get', 'crd', '-o', 'name']);
  const kinds = NOVAGATE_KINDS.filter((plural) => crds.includes(`/${plural}.novagate.dev`));
  for (const plural of kinds) {
    const names = (await kubectlOk(kubectl, ['-n', NAMESPACE, 'get', `${plural}.novagate.dev`, '-o', 'name'])).split('\n').filter((line) => line !== '');
    for (const name of names) {
      await kubectl.run(['-n', NAMESPACE, 'patch', name, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    }
  }
  const resources = [...kinds.map((plural) => `${plural}.novagate.dev`), 'secrets', 'events', 'leases.coordination.k8s.io'];
  await kubectlOk(kubectl, ['-n', NAMESPACE, 'delete', resources.join(','), '--all', '--wait=true', '--timeout=60s', '--ignore-not-found']);
}

/** The chart's operator ServiceAccount, (Cluster)Roles and bindings, as `helm template` renders them for namespace default. */
export function renderOperatorRbac(): string {
  const helm = `${REPO_ROOT}hack/tools/helm/helm`;
  if (!existsSync(helm)) throw new Error(`${helm} is missing: run bash hack/install-tools.sh`);
  const rendered = spawnSync(helm, ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--show-only', 'templates/operator-rbac.yaml', '--show-only', 'templates/operator.yaml'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (rendered.status !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  const kept = parseAllDocuments(rendered.stdout)
    .map((document) => document.toJS() as { kind?: string } | null)
    .filter((object) => object !== null && ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind ?? ''));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: kept });
}

/** Applies the chart's operator RBAC and returns a kubeconfig that authenticates as its ServiceAccount (a bound token). */
export async function operatorKubeConfig(kubectl: Kubectl, admin: KubeConfig): Promise<KubeConfig> {
  await kubectlOk(kubectl, ['apply', '-f', '-'], renderOperatorRbac());
  const token = (await kubectlOk(kubectl, ['-n', NAMESPACE, 'create', 'token', OPERATOR_SERVICE_ACCOUNT, '--duration=1h'])).trim();
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('the admin kubeconfig has no current cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: OPERATOR_SERVICE_ACCOUNT, token }],
    contexts: [{ name: 'operator', cluster: cluster.name, user: OPERATOR_SERVICE_ACCOUNT, namespace: NAMESPACE }],
    currentContext: 'operator',
  });
  return config;
}

const API_PATHS: Record<string, string> = {
  tenants: '/apis/novagate.dev/v1alpha1',
  routes: '/apis/novagate.dev/v1alpha1',
  consumers: '/apis/novagate.dev/v1alpha1',
  leases: '/apis/coordination.k8s.io/v1',
  secrets: '/api/v1',
  events: '/api/v1',
};

/** GET of one namespaced object as the admin: the object, or null on 404. */
export async function readObject<T>(admin: KubeConfig, plural: string, name: string, namespace: string): Promise<T | null> {
  const prefix = API_PATHS[plural];
  if (prefix === undefined) throw new Error(`unknown resource ${plural}`);
  const server = new URL(admin.getCurrentCluster()?.server ?? '');
  const options: import('node:https').RequestOptions = {
    hostname: server.hostname,
    port: server.port,
    path: `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`,
    method: 'GET',
    headers: { accept: 'application/json' },
  };
  await admin.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === 404) resolve(null);
        else if (response.statusCode === 200) resolve(JSON.parse(body) as T);
        else reject(new Error(`GET ${options.path}: ${response.statusCode} ${body}`));
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${options.path} timed out`)));
    req.end();
  });
}

/** The admin kubeconfig file as client-node reads it. */
export function loadKubeConfig(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(readFileSync(path, 'utf8'));
  return config;
}
