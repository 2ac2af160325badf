// Pure: one port of a Kubernetes Service as a config service (DESIGN §11 `gwapi.svc.<ns>.<name>.<port>`), its
// targets read from the Service's EndpointSlices as kube-proxy would: ready endpoints, the slice port whose name
// matches the Service port's, IPv4 and IPv6 addresses. A Service without ready endpoints is a service with
// `targets: []` (the gateway answers 503 no_healthy_upstream), never a missing one. Slices are not trusted as given:
// for a Service with a selector only the endpointslice controller's slices count (a hand-made slice labelled with the
// Service's name would otherwise point the gateway anywhere, past ReferenceGrants); a selector-less Service's slices
// are hand-made by design (explicit opt-in). Addresses the gateway must never dial (loopback, link-local, cloud
// metadata, unspecified, multicast) are refused from every slice.
import { BlockList, isIP } from 'node:net';
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
  spec: { type?: string; selector?: Record<string, string>; ports?: ServicePort[] };
}

export interface EndpointSliceObject {
  metadata: { namespace: string; name: string; labels?: Record<string, string> };
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The manager the kube-controller-manager's endpointslice controller writes on the slices of selector Services. */
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

/** Address ranges never used as targets, whoever wrote the slice. */
export const REFUSED_RANGES: readonly { network: string; prefix: number; type: 'ipv4' | 'ipv6'; why: string }[] = [
  { network: '0.0.0.0', prefix: 8, type: 'ipv4', why: 'unspecified ("this network")' },
  { network: '127.0.0.0', prefix: 8, type: 'ipv4', why: 'loopback' },
  { network: '169.254.0.0', prefix: 16, type: 'ipv4', why: 'link-local, cloud metadata (169.254.169.254)' },
  { network: '100.100.100.200', prefix: 32, type: 'ipv4', why: 'cloud metadata (Alibaba)' },
  { network: '224.0.0.0', prefix: 4, type: 'ipv4', why: 'multicast' },
  { network: '255.255.255.255', prefix: 32, type: 'ipv4', why: 'broadcast' },
  { network: '::', prefix: 128, type: 'ipv6', why: 'unspecified' },
  { network: '::1', prefix: 128, type: 'ipv6', why: 'loopback' },
  { network: 'fe80::', prefix: 10, type: 'ipv6', why: 'link-local' },
  { network: 'fd00:ec2::254', prefix: 128, type: 'ipv6', why: 'cloud metadata (AWS)' },
  { network: 'ff00::', prefix: 8, type: 'ipv6', why: 'multicast' },
];

const refusedRanges = new BlockList();
for (const range of REFUSED_RANGES) refusedRanges.addSubnet(range.network, range.prefix, range.type);

/** Whether `address` is a literal IP of the slice's address type outside the refused ranges (IPv4-mapped IPv6 checked as IPv4). */
export function isDialableAddress(address: string, type: 'IPv4' | 'IPv6'): boolean {
  if (isIP(address) !== (type === 'IPv4' ? 4 : 6)) return false;
  // BlockList checks an IPv4-mapped IPv6 address (::ffff:169.254.169.254, ::ffff:a9fe:a9fe) against the IPv4 ranges.
  return !refusedRanges.check(address, type === 'IPv4' ? 'ipv4' : 'ipv6');
}

/** Whether `slice` speaks for `service`: the endpointslice controller's own for a selector Service, any for a selector-less one. */
export function sliceTrustedFor(service: ServiceObject, slice: EndpointSliceObject): boolean {
  const hasSelector = Object.keys(service.spec.selector ?? {}).length > 0;
  return !hasSelector || slice.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER;
}

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
    if (!sliceTrustedFor(service, slice)) continue;
    const slicePort = slice.ports?.find((candidate) => (candidate.name ?? '') === (servicePort.name ?? '') && (candidate.protocol ?? 'TCP') === 'TCP');
    if (slicePort?.port === undefined) continue;
    appProtocol ??= slicePort.appProtocol;
    for (const endpoint of slice.endpoints ?? []) {
      // Ready (absent counts as ready, as the API documents); a terminating endpoint takes no new requests.
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses) if (isDialableAddress(address, slice.addressType)) urls.add(`http://${addressInUrl(address, slice.addressType)}:${slicePort.port}`);
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
