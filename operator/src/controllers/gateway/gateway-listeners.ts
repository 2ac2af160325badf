// Pure: what each listener of a Gateway of ours means (DESIGN §11, Gateway API v1.6.1): the config listener it
// becomes, or why it is left out, with the upstream listener conditions (Accepted, ResolvedRefs, Conflicted).
// HTTP and HTTPS only; two listeners on one port with different protocols conflict (ProtocolConflict), two on one
// port with the same hostname conflict (HostnameConflict); an HTTPS listener's certificateRefs must name existing
// kubernetes.io/tls Secrets (another namespace's only with a ReferenceGrant).
import type { ListenerConfig } from '@novagate/gateway/config';
import type { ConditionInput } from '../../conditions.js';
import { GATEWAY_GROUP } from '../../gateway-api/attach.js';
import { certificateEntityName, gatewayListenerName, gatewayOwner } from '../../gateway-api/names.js';
import { referenceAllowed, type ReferenceGrantObject } from '../../gateway-api/reference-grant.js';
import type { GatewayListenerSpec, GatewayResource, SecretResource } from '../../kube/resources.js';

/** Ports below this are privileged: a gateway process binds port + PRIVILEGED_PORT_OFFSET unless told otherwise. */
export const FIRST_UNPRIVILEGED_PORT = 1024;
export const PRIVILEGED_PORT_OFFSET = 10_000;

export const HTTP_ROUTE_KIND = { group: GATEWAY_GROUP, kind: 'HTTPRoute' } as const;

/** A TLS Secret an HTTPS listener uses: the config certificate it is pushed as. */
export interface ListenerCertificate {
  /** certificateEntityName(namespace, secret). */
  name: string;
  namespace: string;
  secret: string;
  cert: string;
  key: string;
}

export interface ListenerVerdict {
  name: string;
  /** The config listener, or null when the listener is left out of the config. */
  config: ListenerConfig | null;
  supportedKinds: { group: string; kind: string }[];
  accepted: ConditionInput;
  resolvedRefs: ConditionInput;
  conflicted: ConditionInput;
  /** Why the listener is left out (for Programmed=False Invalid), or null. */
  invalid: string | null;
  certificates: ListenerCertificate[];
}

export interface ListenerInputs {
  /** The cache of Secrets (`namespace/name`). */
  secretOf: (namespace: string, name: string) => SecretResource | undefined;
  grants: readonly ReferenceGrantObject[];
  /** The provisioner's gateway processes may bind ports below 1024 themselves. */
  bindPrivilegedPorts: boolean;
}

const condition = (type: string, status: 'True' | 'False', reason: string, message: string): ConditionInput => ({ type, status, reason, message });
const SUPPORTED_PROTOCOLS = new Set(['HTTP', 'HTTPS']);

/** Where the gateway process listens for `port`: the port itself, or port + 10000 for a privileged one. */
export function bindPortOf(port: number, bindPrivilegedPorts: boolean): number | undefined {
  return port < FIRST_UNPRIVILEGED_PORT && !bindPrivilegedPorts ? port + PRIVILEGED_PORT_OFFSET : undefined;
}

/** The route kinds a listener takes: HTTPRoute, unless allowedRoutes.kinds lists only kinds we do not serve. */
function routeKinds(listener: GatewayListenerSpec): { supported: { group: string; kind: string }[]; unsupported: string[] } {
  const kinds = listener.allowedRoutes?.kinds;
  if (kinds === undefined || kinds.length === 0) return { supported: [{ ...HTTP_ROUTE_KIND }], unsupported: [] };
  const isHttpRoute = (kind: { group?: string; kind: string }) => (kind.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && kind.kind === 'HTTPRoute';
  return {
    supported: kinds.some(isHttpRoute) ? [{ ...HTTP_ROUTE_KIND }] : [],
    unsupported: kinds.filter((kind) => !isHttpRoute(kind)).map((kind) => `${kind.group ?? GATEWAY_GROUP}/${kind.kind}`),
  };
}

const decodeBase64 = (value: string | undefined) => (value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8'));

/** The certificates of an HTTPS listener, or the ResolvedRefs=False reason and message. */
function resolveCertificates(
  gateway: GatewayResource,
  listener: GatewayListenerSpec,
  inputs: ListenerInputs,
): { ok: true; certificates: ListenerCertificate[] } | { ok: false; reason: 'InvalidCertificateRef' | 'RefNotPermitted'; message: string } {
  const refs = listener.tls?.certificateRefs ?? [];
  if ((listener.tls?.mode ?? 'Terminate') !== 'Terminate') return { ok: false, reason: 'InvalidCertificateRef', message: `tls.mode ${listener.tls?.mode} is not supported: only Terminate` };
  if (refs.length === 0) return { ok: false, reason: 'InvalidCertificateRef', message: 'an HTTPS listener needs tls.certificateRefs' };
  const gatewayNamespace = gateway.metadata.namespace ?? '';
  const certificates: ListenerCertificate[] = [];
  for (const [index, ref] of refs.entries()) {
    const field = `tls.certificateRefs[${index}]`;
    const group = ref.group ?? '';
    const kind = ref.kind ?? 'Secret';
    if (group !== '' || kind !== 'Secret') return { ok: false, reason: 'InvalidCertificateRef', message: `${field} is ${group === '' ? 'core' : group}/${kind}; only core/Secret is supported` };
    const namespace = ref.namespace ?? gatewayNamespace;
    if (!referenceAllowed({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gatewayNamespace }, { group: '', kind: 'Secret', namespace, name: ref.name }, inputs.grants)) {
      return { ok: false, reason: 'RefNotPermitted', message: `${field}: Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there permits it` };
    }
    const secret = inputs.secretOf(namespace, ref.name);
    if (secret === undefined) return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: Secret ${namespace}/${ref.name} does not exist` };
    if (secret.type !== 'kubernetes.io/tls') return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: Secret ${namespace}/${ref.name} is not of type kubernetes.io/tls` };
    const cert = decodeBase64(secret.data?.['tls.crt']);
    const key = decodeBase64(secret.data?.['tls.key']);
    if (!cert.includes('-----BEGIN CERTIFICATE-----') || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
      return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: Secret ${namespace}/${ref.name} does not hold a PEM certificate in tls.crt and a PEM private key in tls.key` };
    }
    certificates.push({ name: certificateEntityName(namespace, ref.name), namespace, secret: ref.name, cert, key });
  }
  return { ok: true, certificates };
}

/** Listener hostname as the conflict rules compare it (absent = any host). */
const hostKey = (listener: GatewayListenerSpec) => (listener.hostname ?? '').toLowerCase();

/** Each listener's conflict with its siblings on the same port, by listener name. */
function conflicts(listeners: readonly GatewayListenerSpec[]): Map<string, { reason: 'ProtocolConflict' | 'HostnameConflict'; message: string }> {
  const found = new Map<string, { reason: 'ProtocolConflict' | 'HostnameConflict'; message: string }>();
  for (const listener of listeners) {
    const samePort = listeners.filter((other) => other !== listener && other.port === listener.port);
    const otherProtocol = samePort.find((other) => other.protocol !== listener.protocol);
    if (otherProtocol !== undefined) {
      found.set(listener.name, { reason: 'ProtocolConflict', message: `port ${listener.port} is ${otherProtocol.protocol} on listener ${otherProtocol.name}: one protocol per port` });
      continue;
    }
    const sameHost = samePort.find((other) => hostKey(other) === hostKey(listener));
    if (sameHost !== undefined) {
      found.set(listener.name, {
        reason: 'HostnameConflict',
        message: `listener ${sameHost.name} already serves ${listener.hostname === undefined ? 'every hostname' : `hostname ${listener.hostname}`} on port ${listener.port}`,
      });
    }
  }
  return found;
}

/** Every listener of the Gateway, in spec order, with the config it becomes and its conditions. */
export function evaluateGatewayListeners(gateway: GatewayResource, inputs: ListenerInputs): ListenerVerdict[] {
  const namespace = gateway.metadata.namespace ?? '';
  const owner = gatewayOwner(namespace, gateway.metadata.name);
  const conflictOf = conflicts(gateway.spec.listeners);
  return gateway.spec.listeners.map((listener) => {
    const kinds = routeKinds(listener);
    const verdict: ListenerVerdict = {
      name: listener.name,
      config: null,
      supportedKinds: kinds.supported,
      accepted: condition('Accepted', 'True', 'Accepted', 'the listener is valid'),
      resolvedRefs: condition('ResolvedRefs', 'True', 'ResolvedRefs', 'every reference resolved'),
      conflicted: condition('Conflicted', 'False', 'NoConflicts', 'no conflict with another listener'),
      invalid: null,
      certificates: [],
    };
    if (!SUPPORTED_PROTOCOLS.has(listener.protocol)) {
      verdict.supportedKinds = [];
      verdict.accepted = condition('Accepted', 'False', 'UnsupportedProtocol', `protocol ${listener.protocol} is not supported: only HTTP and HTTPS`);
      verdict.invalid = verdict.accepted.message;
      return verdict;
    }
    if (kinds.unsupported.length > 0) {
      verdict.resolvedRefs = condition('ResolvedRefs', 'False', 'InvalidRouteKinds', `allowedRoutes.kinds ${kinds.unsupported.join(', ')} ${kinds.unsupported.length === 1 ? 'is' : 'are'} not supported: only HTTPRoute`);
      if (kinds.supported.length === 0) verdict.invalid = verdict.resolvedRefs.message;
    }
    if (listener.protocol === 'HTTPS') {
      const resolved = resolveCertificates(gateway, listener, inputs);
      if (!resolved.ok) {
        verdict.resolvedRefs = condition('ResolvedRefs', 'False', resolved.reason, resolved.message);
        verdict.invalid = resolved.message;
      } else {
        verdict.certificates = resolved.certificates;
      }
    }
    const conflict = conflictOf.get(listener.name);
    if (conflict !== undefined) {
      verdict.conflicted = condition('Conflicted', 'True', conflict.reason, conflict.message);
      verdict.invalid = conflict.message;
    }
    if (verdict.invalid !== null) return verdict;
    const bindPort = bindPortOf(listener.port, inputs.bindPrivilegedPorts);
    verdict.config = {
      name: gatewayListenerName(namespace, gateway.metadata.name, listener.name),
      port: listener.port,
      ...(bindPort === undefined ? {} : { bindPort }),
      protocol: listener.protocol as ListenerConfig['protocol'],
      ...(listener.hostname === undefined ? {} : { hostname: listener.hostname.toLowerCase() }),
      ...(verdict.certificates.length === 0 ? {} : { tls: { certificates: [...new Set(verdict.certificates.map((certificate) => certificate.name))] } }),
      gateway: owner,
    };
    return verdict;
  });
}
