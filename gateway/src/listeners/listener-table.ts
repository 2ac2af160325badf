// The listeners a gateway serves (DESIGN §10) grouped by the port they bind, with the lookup that gives a
// request its listener: exact hostname, then the longest wildcard, then the listener with no hostname.
import type { GatewayConfig, ListenerConfig } from '../config/index.js';

export interface ServedListener {
  readonly name: string;
  /** `listeners[i]` in the config, or undefined for the implicit listener on PORT. */
  readonly index: number | undefined;
  readonly port: number;
  readonly bindPort: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly hostname: string | undefined;
  readonly http2: boolean;
  readonly certificates: readonly string[];
  readonly gateway: string | undefined;
}

export interface ListenerScope {
  /** GATEWAY_NAME: serve the listeners it owns; unset: those with no owner. */
  gatewayName: string | undefined;
  /** PORT: where the implicit listener binds when no listener without an owner is configured. */
  defaultPort: number;
}

export const IMPLICIT_LISTENER = 'http';

/** What one listener answers with (its routes' table), and the listener. */
export interface ListenerEntry<R> {
  readonly listener: ServedListener;
  readonly routes: R;
}

export interface PortTable<R> {
  readonly bindPort: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly http2: boolean;
  /** In config order: the first listener's first certificate is the port's default certificate. */
  readonly listeners: readonly ListenerEntry<R>[];
  readonly exact: ReadonlyMap<string, ListenerEntry<R>>;
  /** `*.example.com` listeners as suffixes (`.example.com`), longest first. */
  readonly wildcards: readonly { suffix: string; entry: ListenerEntry<R> }[];
  readonly fallback: ListenerEntry<R> | undefined;
}

function served(listener: ListenerConfig, index: number): ServedListener {
  return {
    name: listener.name,
    index,
    port: listener.port,
    bindPort: listener.bindPort ?? listener.port,
    protocol: listener.protocol,
    hostname: listener.hostname,
    http2: listener.http2 === true,
    certificates: listener.tls?.certificates ?? [],
    gateway: listener.gateway,
  };
}

function implicitListener(port: number): ServedListener {
  return { name: IMPLICIT_LISTENER, index: undefined, port, bindPort: port, protocol: 'HTTP', hostname: undefined, http2: false, certificates: [], gateway: undefined };
}

/**
 * The listeners this gateway serves. With GATEWAY_NAME: exactly the listeners it owns (none: it serves nothing,
 * never the implicit one). Without: the listeners with no owner, or the implicit HTTP listener on PORT when there
 * is none, whatever listeners other gateways own.
 */
export function servedListeners(config: GatewayConfig, scope: ListenerScope): ServedListener[] {
  const listeners = (config.listeners ?? []).map(served);
  if (scope.gatewayName !== undefined) return listeners.filter((listener) => listener.gateway === scope.gatewayName);
  const unowned = listeners.filter((listener) => listener.gateway === undefined);
  return unowned.length > 0 ? unowned : [implicitListener(scope.defaultPort)];
}

/**
 * Whether a route takes part in a listener: named by it, or naming none while the listener has no owner. The
 * implicit listener has no name a route could give (a configured listener may be called `http` too).
 */
export function routeAttaches(routeListeners: readonly string[] | undefined, listener: ServedListener): boolean {
  if (routeListeners === undefined) return listener.gateway === undefined;
  return listener.index !== undefined && routeListeners.includes(listener.name);
}

export function portTables<R>(listeners: readonly ServedListener[], routesOf: (listener: ServedListener) => R): Map<number, PortTable<R>> {
  const byPort = new Map<number, ListenerEntry<R>[]>();
  for (const listener of listeners) {
    const entries = byPort.get(listener.bindPort) ?? [];
    entries.push({ listener, routes: routesOf(listener) });
    byPort.set(listener.bindPort, entries);
  }
  const tables = new Map<number, PortTable<R>>();
  for (const [bindPort, entries] of byPort) {
    const first = (entries[0] as ListenerEntry<R>).listener;
    const exact = new Map<string, ListenerEntry<R>>();
    const wildcards: { suffix: string; entry: ListenerEntry<R> }[] = [];
    let fallback: ListenerEntry<R> | undefined;
    for (const entry of entries) {
      const hostname = entry.listener.hostname;
      if (hostname === undefined) fallback ??= entry;
      else if (hostname.startsWith('*.')) wildcards.push({ suffix: hostname.slice(1), entry });
      else if (!exact.has(hostname)) exact.set(hostname, entry);
    }
    wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
    tables.set(bindPort, { bindPort, protocol: first.protocol, http2: first.http2, listeners: entries, exact, wildcards, fallback });
  }
  return tables;
}

/** The listener a request for `host` (lower case, no port; '' when absent) belongs to on this port. */
export function listenerForHost<R>(table: PortTable<R>, host: string): ListenerEntry<R> | undefined {
  if (host !== '') {
    const exact = table.exact.get(host);
    if (exact !== undefined) return exact;
    for (const { suffix, entry } of table.wildcards) {
      // `*.example.com` covers `a.example.com` and `a.b.example.com`, never `example.com` itself.
      if (host.length > suffix.length && host.endsWith(suffix)) return entry;
    }
  }
  return table.fallback;
}
