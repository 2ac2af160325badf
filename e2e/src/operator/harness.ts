// Whole-system test support for the operator: the Kubernetes API test server (or, with E2E_KUBE=real, the real
// kube-apiserver KUBECONFIG names) with NovaGate's CRDs applied by the real kubectl, a fresh PostgreSQL database,
// the control plane (its gateway hub included) and operators.
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { startTestServer, type TestServer } from '@novagate/control-plane/testing/server';
import type { ProtocolClient, ReceivedConfig } from '@novagate/control-plane/testing/gateway-client';
import type { AckMessage, NackMessage } from '@novagate/gateway/protocol';
import { createLogger, startOperator, type Operator, type OperatorOptions } from '@novagate/operator';
import { kubectlFor, kubectlOk as runKubectlOk, startKubeApiServer, type Kubectl, type KubeApiServer, type KubeObject } from '../kube-api/index.js';
import { cleanNamespace, loadKubeConfig, operatorKubeConfig, readObject, realKubeconfigPath } from './real-kube.js';

/** The repository's crds/ folder (three levels up from src/operator or dist/operator). */
export const CRDS_DIR = fileURLToPath(new URL('../../../crds/', import.meta.url));

/** Set when the suite runs against a real kube-apiserver (E2E_KUBE=real): the admin kubeconfig's path. */
const REAL_KUBECONFIG = realKubeconfigPath();

/**
 * A test that needs what only the test server offers (a controller-manager's work, forced compaction) is skipped
 * on the real server, which runs no controllers: `test(name, onTestServerOnly('garbage collection'), …)`.
 */
export function onTestServerOnly(needs: string): { skip: string | false } {
  return { skip: REAL_KUBECONFIG === null ? false : `needs ${needs}, which only the API test server offers` };
}

export interface Harness {
  /** The project's API test server; null on a real kube-apiserver. */
  kube: KubeApiServer | null;
  /** Whether controllers run (garbage collection, namespace finalisation): on the test server only. */
  controllers: boolean;
  kubectl: Kubectl;
  /** What the operators authenticate with: on the real server, a token of the chart's operator ServiceAccount. */
  kubeConfig: KubeConfig;
  db: TestDatabase;
  controlPlane: TestServer;
  logLines: string[];
  startOperator(options?: Partial<OperatorOptions>): Promise<Operator>;
  /** The object as the API server holds it now, or null. */
  object<T = KubeObject>(plural: string, name: string, namespace?: string): Promise<T | null>;
  /** kubectl, failing the test with its stderr when it fails. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (REAL_KUBECONFIG !== null) return startHarnessOn(null, REAL_KUBECONFIG);
  const kube = await startKubeApiServer();
  return startHarnessOn(kube, kube.kubeconfigPath);
}

async function startHarnessOn(kube: KubeApiServer | null, kubeconfigPath: string): Promise<Harness> {
  const kubectl = kubectlFor(kubeconfigPath);
  const admin = loadKubeConfig(kubeconfigPath);
  const db = await createTestDatabase();
  const controlPlane = await startTestServer({ db });
  const operators: Operator[] = [];
  const logLines: string[] = [];
  const kubectlOk = (args: string[], input?: string) => runKubectlOk(kubectl, args, input);
  await kubectlOk(['apply', '-f', CRDS_DIR]);
  let kubeConfig = admin;
  if (kube === null) {
    await kubectlOk(['wait', '--for=condition=Established', 'crd/tenants.novagate.dev', 'crd/routes.novagate.dev', 'crd/consumers.novagate.dev', '--timeout=60s']);
    await cleanNamespace(kubectl);
    kubeConfig = await operatorKubeConfig(kubectl, admin);
  }
  return {
    kube,
    controllers: kube !== null,
    kubectl,
    kubeConfig,
    db,
    controlPlane,
    logLines,
    kubectlOk,
    async startOperator(options = {}) {
      const operator = await startOperator({
        kubeConfig,
        pool: db.pool,
        log: createLogger('debug', (line) => logLines.push(line)),
        leaderElection: null,
        metricsPort: null,
        programmedPollMs: 200,
        ...options,
      });
      operators.push(operator);
      return operator;
    },
    async object<T>(plural: string, name: string, namespace = 'default'): Promise<T | null> {
      if (kube === null) return readObject<T>(admin, plural, name, namespace);
      const group = plural === 'secrets' || plural === 'events' ? '' : plural === 'leases' ? 'coordination.k8s.io' : 'novagate.dev';
      const version = group === '' ? 'v1' : group === 'coordination.k8s.io' ? 'v1' : 'v1alpha1';
      const type = kube.api.types.find(group, version, plural);
      if (type === undefined) throw new Error(`unknown resource ${plural}`);
      try {
        return kube.api.get(type, namespace, name) as T;
      } catch {
        return null;
      }
    },
    async close() {
      for (const operator of operators) await operator.stop().catch(() => undefined);
      await controlPlane.close();
      if (kube === null) await cleanNamespace(kubectl);
      kubectl.dispose();
      await kube?.stop();
      await db.drop();
    },
  };
}

/** A Route of `tenant` in namespace default, to an in-cluster upstream named after it; `extra` adds spec lines. */
export const routeYaml = (name: string, tenant: string, path = `/${name}/*`, extra = '') => `
apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: ${name}, namespace: default}
spec:
  tenantRef: {name: ${tenant}}
  upstream: {url: "http://${name}.default.svc:8080"}
  match: {paths: ["${path}"]}
${extra}`;

/** Polls `check` until it returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export function conditionOf(object: unknown, type: string): ConditionView | undefined {
  const conditions = (object as { status?: { conditions?: ConditionView[] } } | null)?.status?.conditions ?? [];
  return conditions.find((condition) => condition.type === type);
}

/** Makes a protocol client answer every config like a gateway: ack, or nack when `refuse` returns a reason. */
export function answerConfigs(client: ProtocolClient, refuse: (config: ReceivedConfig) => string | null = () => null): void {
  let answered = 0;
  const answer = () => {
    while (answered < client.configs.length) {
      const config = client.configs[answered] as ReceivedConfig;
      answered += 1;
      const reason = refuse(config);
      client.send(
        reason === null
          ? ({ type: 'ack', version: config.version, hash: config.hash } satisfies AckMessage)
          : ({ type: 'nack', version: config.version, error: reason } satisfies NackMessage),
      );
    }
  };
  client.socket.on('message', () => setImmediate(answer));
  answer();
}

export function secretValue(secret: unknown, key: string): string {
  const data = (secret as { data?: Record<string, string> } | null)?.data?.[key];
  if (data === undefined) throw new Error(`secret has no ${key}`);
  return Buffer.from(data, 'base64').toString('utf8');
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
