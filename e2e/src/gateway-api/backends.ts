// The cluster work the real API server does not do here (it runs no scheduler, kubelet or endpoints controller),
// done for upstream's echo backends: one local echo server per pod a Deployment of the base manifests asks for
// (replicas), each on its own pod address (pod-addresses.ts) and echo-basic's HTTP port, a Pod object with that address in its
// status as a kubelet would write it, and per Service with a selector one EndpointSlice of the matching pods,
// labelled and with ports by name as the endpoints controller writes them. echo-basic's plain HTTP port (with its
// WebSocket upgrades, appProtocol kubernetes.io/ws) and its h2c port (kubernetes.io/h2c) are served; its TLS and
// gRPC modes are not, and Service ports that need them are left out of the EndpointSlices rather than pointed at a
// server that would answer wrongly.
import { startEchoServer, type EchoServer } from './echo-server.js';

/** echo-basic's default HTTP_PORT. */
export const ECHO_HTTP_PORT = 3000;
/** echo-basic's default H2C_PORT (the base Services' `kubernetes.io/h2c` ports target it). */
export const ECHO_H2C_PORT = 3001;

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface DeploymentSpec {
  replicas?: number;
  template: { metadata?: { labels?: Record<string, string> }; spec: { containers: { name: string; image: string; env?: { name: string; value?: string }[] }[] } };
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
}

/** One stand-in pod: where its echo server listens and who it says it is. */
export interface EchoPod {
  name: string;
  namespace: string;
  deployment: string;
  labels: Record<string, string>;
  address: string;
  /** HTTP/1.1, and WebSocket upgrades. */
  port: number;
  /** h2c (HTTP/2 with prior knowledge). */
  h2cPort: number;
}

const isEchoBasic = (image: string): boolean => /\/gateway-api\/echo-basic:/.test(image);

/** A short stable suffix, like the ReplicaSet hash in a real pod's name. */
function podSuffix(deployment: string, index: number): string {
  let hash = 2166136261;
  for (const char of deployment) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `${hash.toString(36).slice(0, 10)}-${index.toString(36).padStart(5, 'x')}`;
}

/**
 * The pods to stand in for: every replica of every Deployment running echo-basic in plain HTTP mode (its gRPC mode,
 * GRPC_ECHO_SERVER, answers only gRPC), each given the next IPv4 address from `firstAddress`.
 */
export function planEchoPods(objects: readonly ManifestObject[], firstAddress: string): EchoPod[] {
  const [a, b, c, d] = firstAddress.split('.').map(Number) as [number, number, number, number];
  let next = (a << 24) + (b << 16) + (c << 8) + d;
  const pods: EchoPod[] = [];
  for (const object of objects) {
    if (object.kind !== 'Deployment') continue;
    const spec = object.spec as unknown as DeploymentSpec;
    const container = spec.template.spec.containers[0];
    if (container === undefined || !isEchoBasic(container.image)) continue;
    if ((container.env ?? []).some((variable) => variable.name === 'GRPC_ECHO_SERVER')) continue;
    const env = (name: string, fallback: number) => Number((container.env ?? []).find((variable) => variable.name === name)?.value ?? fallback);
    const httpPort = env('HTTP_PORT', ECHO_HTTP_PORT);
    const h2cPort = env('H2C_PORT', ECHO_H2C_PORT);
    for (let index = 0; index < (spec.replicas ?? 1); index++) {
      const address = [next >>> 24, (next >>> 16) & 255, (next >>> 8) & 255, next & 255].join('.');
      next++;
      pods.push({
        name: `${object.metadata.name}-${podSuffix(object.metadata.name, index)}`,
        namespace: object.metadata.namespace ?? 'default',
        deployment: object.metadata.name,
        labels: spec.template.metadata?.labels ?? {},
        address,
        port: httpPort,
        h2cPort,
      });
    }
  }
  return pods;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

const PLAIN_PROTOCOLS = new Set([undefined, 'http', 'kubernetes.io/ws']);

/**
 * Service ports a stand-in pod serves, each with the pod port behind it: plain HTTP (or WebSocket) on echo-basic's
 * HTTP port, h2c on its h2c port.
 */
function servedPorts(service: ServiceSpec, pod: Pick<EchoPod, 'port' | 'h2cPort'>): { servicePort: ServicePort; podPort: number }[] {
  return (service.ports ?? []).flatMap((port) => {
    const target = port.targetPort ?? port.port;
    if ((port.protocol ?? 'TCP') !== 'TCP') return [];
    if (target === pod.port && PLAIN_PROTOCOLS.has(port.appProtocol)) return [{ servicePort: port, podPort: pod.port }];
    if (target === pod.h2cPort && port.appProtocol === 'kubernetes.io/h2c') return [{ servicePort: port, podPort: pod.h2cPort }];
    return [];
  });
}

/**
 * The EndpointSlice the endpoints controller would write for a Service with a selector, or null when the Service has
 * no selector (its EndpointSlices are someone else's, as in the service-types test) or selects no stand-in pod.
 */
export function endpointSliceFor(service: ManifestObject, pods: readonly EchoPod[]): Record<string, unknown> | null {
  const spec = (service.spec ?? {}) as ServiceSpec;
  if (spec.selector === undefined) return null;
  const namespace = service.metadata.namespace ?? 'default';
  const selected = pods.filter((pod) => pod.namespace === namespace && selects(spec.selector ?? {}, pod.labels));
  if (selected.length === 0) return null;
  const ports = servedPorts(spec, selected[0]!);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service.metadata.name}-echo`,
      namespace,
      labels: { 'kubernetes.io/service-name': service.metadata.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    endpoints: selected.map((pod) => ({
      addresses: [pod.address],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', name: pod.name, namespace: pod.namespace },
    })),
    ports: ports.map(({ servicePort, podPort }) => ({
      name: servicePort.name ?? '',
      port: podPort,
      protocol: 'TCP',
      ...(servicePort.appProtocol === undefined ? {} : { appProtocol: servicePort.appProtocol }),
    })),
  };
}

/** The Pod object for a stand-in pod, and the status a kubelet would report for it once running. */
export function podObjects(pod: EchoPod, now: Date): { pod: Record<string, unknown>; status: Record<string, unknown> } {
  return {
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels },
      spec: { containers: [{ name: pod.deployment, image: 'registry.k8s.io/gateway-api/echo-basic (stood in for by a local echo server)' }] },
    },
    status: {
      phase: 'Running',
      podIP: pod.address,
      podIPs: [{ ip: pod.address }],
      hostIP: '127.0.0.1',
      startTime: now.toISOString(),
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now.toISOString() }],
    },
  };
}

/** Starts two echo servers per pod on the pod's address: HTTP/1.1 (and WebSocket) on its port, h2c on its h2c port. */
export async function startEchoPods(pods: readonly EchoPod[]): Promise<EchoServer[]> {
  const servers: EchoServer[] = [];
  try {
    for (const pod of pods) {
      const identity = { namespace: pod.namespace, pod: pod.name };
      servers.push(await startEchoServer(identity, pod.address, pod.port));
      servers.push(await startEchoServer(identity, pod.address, pod.h2cPort, { h2c: true }));
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
  return servers;
}
