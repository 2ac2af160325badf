// Pure: one port of a Kubernetes Service as a config service (DESIGN §11 `gwapi.svc.<ns>.<name>.<port>`), its
// targets read from the Service's EndpointSlices as kube-proxy would: ready endpoints, the slice port whose name
// matches the Service port's, IPv4 and IPv6 addresses. A Service without ready endpoints is a service with
// `targets: []` (the gateway answers 503 no_healthy_upstream), never a missing one.
import { MAX_TARGETS_PER_SERVICE, serviceSchema, type ServiceConfig } from '@novagate/gateway/config';
import { serviceEntityName } from './names.js';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface ServiceObject {
  metadata: { namespace: string; name: string };
  spec: { type?: string; ports?: ServicePort[] };
}

export interface EndpointSliceObject {
  metadata: { namespace: string; name: string; labels?: Record<string, string> };
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type ServiceTargets = { ok: true; service: ServiceConfig; truncated: boolean } | { ok: false; reason: 'BackendNotFound'; message: string };

const H2C_PROTOCOLS = new Set(['kubernetes.io/h2c']);

function addressInUrl(address: string, type: EndpointSliceObject['addressType']): string {
  return type === 'IPv6' ? `[${address}]` : address;
}

/**
 * The config service of `service`'s port `port` with its ready endpoints; BackendNotFound when the Service has no
 * such port or is of a type NovaGate cannot reach (ExternalName).
 */
export function serviceTargets(service: ServiceObject, port: number, slices: readonly EndpointSliceObject[]): ServiceTargets {
  const { namespace, name } = service.metadata;
  if (service.spec.type === 'ExternalName') return { ok: false, reason: 'BackendNotFound', message: `Service ${namespace}/${name} is of type ExternalName, which has no endpoints` };
  const servicePort = service.spec.ports?.find((candidate) => candidate.port === port && (candidate.protocol ?? 'TCP') === 'TCP');
  if (servicePort === undefined) return { ok: false, reason: 'BackendNotFound', message: `Service ${namespace}/${name} has no TCP port ${port}` };
  const urls = new Set<string>();
  let appProtocol = servicePort.appProtocol;
  for (const slice of slices) {
    if (slice.metadata.namespace !== namespace || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== name || slice.addressType === 'FQDN') continue;
    const slicePort = slice.ports?.find((candidate) => (candidate.name ?? '') === (servicePort.name ?? '') && (candidate.protocol ?? 'TCP') === 'TCP');
    if (slicePort?.port === undefined) continue;
    appProtocol ??= slicePort.appProtocol;
    for (const endpoint of slice.endpoints ?? []) {
      // Ready (absent counts as ready, as the API documents); a terminating endpoint takes no new requests.
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses) urls.add(`http://${addressInUrl(address, slice.addressType)}:${slicePort.port}`);
    }
  }
  const sorted = [...urls].sort();
  const truncated = sorted.length > MAX_TARGETS_PER_SERVICE;
  const parsed = serviceSchema.parse({
    name: serviceEntityName(namespace, name, port),
    targets: sorted.slice(0, MAX_TARGETS_PER_SERVICE).map((url) => ({ url })),
    // Gateway API has no retries in the standard channel: a request is sent once.
    retries: 0,
    ...(appProtocol !== undefined && H2C_PROTOCOLS.has(appProtocol) ? { http2: true } : {}),
  });
  return { ok: true, service: parsed, truncated };
}
