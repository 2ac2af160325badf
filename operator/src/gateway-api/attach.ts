// Pure: which listeners of a Gateway an HTTPRoute's parentRef attaches to (Gateway API v1.6.1), and with which
// hostnames. A parentRef names a Gateway, optionally one listener (`sectionName`) and a `port`; a listener takes the
// route when its `allowedRoutes` admits the route's namespace and kind, and when the route's hostnames intersect the
// listener's. The result carries the upstream `Accepted` reason when nothing attaches.

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface GatewayListener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  allowedRoutes?: {
    namespaces?: { from?: 'Same' | 'All' | 'Selector'; selector?: LabelSelector };
    kinds?: { group?: string; kind: string }[];
  };
}

export interface GatewayObject {
  metadata: { namespace: string; name: string };
  spec: { listeners: GatewayListener[] };
}

export type AttachReason = 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname';

export type Attachment =
  | { accepted: true; listeners: string[]; hostnames: string[] }
  | { accepted: false; reason: AttachReason; message: string };

/** Whether `labels` satisfy `selector` (Kubernetes label selector semantics; an empty selector matches all). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = expression.values ?? [];
    if (expression.operator === 'In' && !(has && values.includes(value as string))) return false;
    if (expression.operator === 'NotIn' && has && values.includes(value as string)) return false;
    if (expression.operator === 'Exists' && !has) return false;
    if (expression.operator === 'DoesNotExist' && has) return false;
    // An operator this code does not know selects nothing (fail closed).
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(expression.operator)) return false;
  }
  return true;
}

/**
 * The intersection of a route hostname and a listener hostname (either may start with `*.`), or undefined: the
 * more specific of the two when one covers the other.
 */
export function intersectHostname(route: string, listener: string): string | undefined {
  const routeLower = route.toLowerCase();
  const listenerLower = listener.toLowerCase();
  if (routeLower === listenerLower) return routeLower;
  const covers = (wildcard: string, name: string) => wildcard.startsWith('*.') && name.endsWith(wildcard.slice(1)) && name.length > wildcard.length - 1;
  if (covers(listenerLower, routeLower)) return routeLower;
  if (covers(routeLower, listenerLower)) return listenerLower;
  return undefined;
}

/** The hostnames a route serves on a listener: [] means any host; undefined means none intersect. */
function listenerHostnames(routeHostnames: readonly string[], listener: GatewayListener): string[] | undefined {
  if (listener.hostname === undefined) return [...routeHostnames];
  if (routeHostnames.length === 0) return [listener.hostname.toLowerCase()];
  const both = routeHostnames.map((hostname) => intersectHostname(hostname, listener.hostname as string)).filter((h): h is string => h !== undefined);
  return both.length === 0 ? undefined : both;
}

function admitsKind(listener: GatewayListener): boolean {
  const kinds = listener.allowedRoutes?.kinds;
  if (kinds === undefined || kinds.length === 0) return listener.protocol === 'HTTP' || listener.protocol === 'HTTPS';
  return kinds.some((kind) => (kind.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && kind.kind === 'HTTPRoute');
}

function admitsNamespace(listener: GatewayListener, gatewayNamespace: string, routeNamespace: string, namespaceLabels: Readonly<Record<string, string>>): boolean {
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNamespace === gatewayNamespace;
  // `Selector` without a selector admits no namespace (fail closed; the CRD requires one).
  const selector = listener.allowedRoutes?.namespaces?.selector;
  return selector !== undefined && selectorMatches(selector, namespaceLabels);
}

/** Whether `ref` names `gateway` at all (group, kind, namespace, name). */
export function refersToGateway(ref: ParentReference, routeNamespace: string, gateway: GatewayObject): boolean {
  return (
    (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
    (ref.kind ?? 'Gateway') === 'Gateway' &&
    (ref.namespace ?? routeNamespace) === gateway.metadata.namespace &&
    ref.name === gateway.metadata.name
  );
}

/**
 * Attaches an HTTPRoute in `routeNamespace` (with `namespaceLabels`, its namespace's labels, and `routeHostnames`)
 * to `gateway` through `ref`, which must name it.
 */
export function attachToGateway(
  ref: ParentReference,
  route: { namespace: string; hostnames: readonly string[]; namespaceLabels: Readonly<Record<string, string>> },
  gateway: GatewayObject,
): Attachment {
  const named = gateway.spec.listeners.filter((listener) => (ref.sectionName === undefined || listener.name === ref.sectionName) && (ref.port === undefined || listener.port === ref.port));
  if (named.length === 0) {
    const what = [ref.sectionName === undefined ? '' : `sectionName '${ref.sectionName}'`, ref.port === undefined ? '' : `port ${ref.port}`].filter((s) => s !== '').join(' and ');
    return { accepted: false, reason: 'NoMatchingParent', message: `Gateway ${gateway.metadata.namespace}/${gateway.metadata.name} has no listener with ${what}` };
  }
  const allowed = named.filter((listener) => admitsKind(listener) && admitsNamespace(listener, gateway.metadata.namespace, route.namespace, route.namespaceLabels));
  if (allowed.length === 0) {
    return { accepted: false, reason: 'NotAllowedByListeners', message: `no listener of Gateway ${gateway.metadata.namespace}/${gateway.metadata.name} allows HTTPRoutes from namespace ${route.namespace}` };
  }
  const listeners: string[] = [];
  const hostnames = new Set<string>();
  let anyHost = false;
  for (const listener of allowed) {
    const served = listenerHostnames(route.hostnames, listener);
    if (served === undefined) continue;
    listeners.push(listener.name);
    if (served.length === 0) anyHost = true;
    for (const hostname of served) hostnames.add(hostname);
  }
  if (listeners.length === 0) {
    return { accepted: false, reason: 'NoMatchingListenerHostname', message: `no hostname of the route matches a listener of Gateway ${gateway.metadata.namespace}/${gateway.metadata.name}` };
  }
  // A listener without hostname takes every host the route has (or any): the route's own list then bounds it.
  return { accepted: true, listeners, hostnames: anyHost ? [...route.hostnames] : [...hostnames].sort() };
}
