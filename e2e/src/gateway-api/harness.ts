// The conformance run's cluster: a real kube-apiserver (../shared/kube/start.sh on free ports, in a temp dir),
// the Gateway API CRDs and NovaGate's applied, the class's Tenant and GatewayClass, upstream's base manifests with
// only {GATEWAY_CLASS_NAME} substituted, the TLS material upstream's suite creates, and the stand-ins for what the
// cluster would run (echo pods, their Pod objects and EndpointSlices). Each test's manifest is applied unchanged
// before it and deleted after it, as upstream's suite does with cleanup on.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { endpointSliceFor, planEchoPods, podObjects, startEchoPods, type EchoPod, type ManifestObject } from './backends.js';
import type { EchoServer, SeenRequest } from './echo-server.js';
import { KubeClient, KubeRequestError } from './kube-client.js';
import { addPodAddresses, freePodNetwork } from './pod-addresses.js';
import { conformanceTlsObjects } from './tls-secrets.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** ../shared/gateway-api beside the repository, or /work/shared/gateway-api. */
export function gatewayApiDir(): string {
  const candidates = [join(REPO_ROOT, '../shared/gateway-api'), '/work/shared/gateway-api'];
  const found = candidates.find((candidate) => existsSync(join(candidate, 'standard-install.yaml')));
  if (found !== undefined) return found;
  throw new Error(`the Gateway API manifests are in neither ${candidates.join(' nor ')}`);
}

export const CONTROLLER_NAME = 'novagate.dev/gateway-controller';

export interface ClassSettings {
  gatewayClassName: string;
  tenantNamespace: string;
  tenantName: string;
}

/** A manifest as the suite applies it (the base ones and each test's): only `{GATEWAY_CLASS_NAME}` replaced. */
export function substituteBaseManifests(text: string, gatewayClassName: string): string {
  return text.replaceAll('{GATEWAY_CLASS_NAME}', gatewayClassName);
}

export function manifestObjects(text: string): ManifestObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as ManifestObject | null)
    .filter((object): object is ManifestObject => object !== null && typeof object === 'object' && typeof object.kind === 'string');
}

export interface Cluster {
  kubeconfigPath: string;
  kube: KubeClient;
  kubectl(args: string[], input?: string): Promise<string>;
  /** Applies a test's manifest unchanged and plays the endpoints controller for its Services. */
  applyTestManifest(file: string): Promise<void>;
  deleteTestManifest(file: string): Promise<void>;
  /** Applies objects written here (NovaGate's own Extended checks; their backends are the base manifests' Services). */
  applyObjects(objects: readonly ManifestObject[]): Promise<void>;
  deleteObjects(objects: readonly ManifestObject[]): Promise<void>;
  /** Every request the echo pods answered (the last 1,000 per server), oldest first per server. */
  echoRequests(): SeenRequest[];
  stop(): Promise<void>;
}

function runKubectl(kubeconfigPath: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

async function createIgnoringExisting(kube: KubeClient, object: { apiVersion: string; kind: string; metadata: { namespace?: string } }): Promise<void> {
  try {
    await kube.create(object);
  } catch (error) {
    if (!(error instanceof KubeRequestError && error.status === 409)) throw error;
  }
}

/** Starts the API server and lays out everything the tests assume. `log` gets one line per step. */
export async function startCluster(settings: ClassSettings, log: (line: string) => void): Promise<Cluster> {
  const manifests = gatewayApiDir();
  let server: RealApiServer | null = await startRealApiServer();
  let servers: EchoServer[] = [];
  let removeAddresses = async () => undefined as void;
  const stop = async () => {
    await Promise.all(servers.map((echo) => echo.close()));
    servers = [];
    await removeAddresses();
    if (server !== null) await server.stop();
    server = null;
  };
  try {
    const kubeconfigPath = server.kubeconfigPath;
    log(`kube-apiserver ready (${server.dir})`);
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    const kube = new KubeClient(config);
    const kubectl = (args: string[], input?: string) => runKubectl(kubeconfigPath, args, input);
    // Upstream's applier substitutes the class name in every manifest it applies, the tests' as well as the base.
    const testManifest = (file: string) => substituteBaseManifests(readFileSync(join(manifests, 'tests', file), 'utf8'), settings.gatewayClassName);

    // The CRDs are larger than client-side apply's annotation allows; server-side apply has no such limit.
    await kubectl(['apply', '--server-side', '--field-manager=conformance', '-f', join(manifests, 'standard-install.yaml')]);
    await kubectl(['apply', '--server-side', '--field-manager=conformance', '-f', join(REPO_ROOT, 'crds')]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    log('Gateway API v1.6.1 standard CRDs and NovaGate CRDs established');

    await kubectl(
      ['apply', '--server-side', '--field-manager=conformance', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: settings.tenantNamespace } },
          {
            apiVersion: 'novagate.dev/v1alpha1',
            kind: 'Tenant',
            metadata: { name: settings.tenantName, namespace: settings.tenantNamespace },
            spec: { displayName: 'Gateway API conformance', plan: 'enterprise', ownerEmail: 'conformance@novagate.dev', deletionPolicy: 'Delete' },
          },
          {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'GatewayClass',
            metadata: { name: settings.gatewayClassName },
            spec: {
              controllerName: CONTROLLER_NAME,
              parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: settings.tenantNamespace, name: settings.tenantName },
            },
          },
        ],
      }),
    );
    const baseText = substituteBaseManifests(readFileSync(join(manifests, 'base-manifests.yaml'), 'utf8'), settings.gatewayClassName);
    await kubectl(['apply', '--server-side', '--field-manager=conformance', '-f', '-'], baseText);
    log(`GatewayClass ${settings.gatewayClassName} (Tenant ${settings.tenantNamespace}/${settings.tenantName}) and the base manifests applied`);

    for (const object of conformanceTlsObjects()) await createIgnoringExisting(kube, object as { apiVersion: string; kind: string; metadata: { namespace?: string } });
    log('TLS Secrets and CA ConfigMaps created');

    const base = manifestObjects(baseText);
    const pods = planEchoPods(base, await freePodNetwork());
    removeAddresses = await addPodAddresses(pods.map((pod) => pod.address));
    servers = await startEchoPods(pods);
    const now = new Date();
    for (const pod of pods) {
      const { pod: podObject, status } = podObjects(pod, now);
      await createIgnoringExisting(kube, podObject as { apiVersion: string; kind: string; metadata: { namespace?: string } });
      await kube.mergePatch('v1', 'Pod', pod.name, pod.namespace, { status }, 'status');
    }
    await writeEndpointSlices(kube, base, pods);
    log(`${pods.length} echo pods serving on ${pods.map((pod) => `${pod.address}:${pod.port}`).join(', ')}`);

    return {
      kubeconfigPath,
      kube,
      kubectl,
      async applyTestManifest(file) {
        const text = testManifest(file);
        await kubectl(['apply', '--server-side', '--field-manager=conformance', '-f', '-'], text);
        await writeEndpointSlices(kube, manifestObjects(text), pods);
      },
      async deleteTestManifest(file) {
        const text = testManifest(file);
        const objects = manifestObjects(text);
        await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], text);
        for (const service of objects.filter((object) => object.kind === 'Service')) {
          await kubectl(['delete', '--ignore-not-found', '--wait=false', '-n', service.metadata.namespace ?? 'default', 'endpointslice', `${service.metadata.name}-echo`]);
        }
      },
      async applyObjects(objects) {
        await kubectl(['apply', '--server-side', '--field-manager=conformance', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      },
      async deleteObjects(objects) {
        await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      },
      echoRequests: () => servers.flatMap((server) => server.seen()),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function writeEndpointSlices(kube: KubeClient, objects: readonly ManifestObject[], pods: readonly EchoPod[]): Promise<void> {
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const slice = endpointSliceFor(service, pods);
    if (slice !== null) await createIgnoringExisting(kube, slice as { apiVersion: string; kind: string; metadata: { namespace?: string } });
  }
}
