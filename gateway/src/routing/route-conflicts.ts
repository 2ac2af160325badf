// Which routes can never receive traffic because another route claims exactly the same requests (DESIGN §10):
// the same host, the same path shape and overlapping methods. The router still serves such a config (file
// order decides); the admin API and the operator use this to refuse or report the loser.
import { decodeUnreserved } from './normalize-path.js';

/** What a route claims, as the router sees it (the fields of `RouteConfig` that decide matching). */
export interface RouteClaim {
  name: string;
  paths: readonly string[];
  /** Upper-case methods; empty = any. */
  methods: readonly string[];
  /** Lower-case hostnames; empty = any host. */
  hosts: readonly string[];
  caseInsensitive?: boolean | undefined;
  /** The listeners the route attaches to; absent = the default set (DESIGN §10), taken as meeting every set. */
  listeners?: readonly string[] | undefined;
}

export interface RouteOverlap {
  host: string;
  path: string;
  /** The methods both routes claim; empty = every method (neither route names one). */
  methods: string[];
}

export interface RouteConflict<T extends RouteClaim> {
  /** The route that never wins. */
  route: T;
  /** The route that takes its traffic. */
  winner: T;
  overlap: RouteOverlap;
}

/**
 * The shape of a path pattern: every `:param` is the same segment, literals compare as the router compares
 * them (unreserved escapes decoded; lower case on a case-insensitive route, which lives in its own table, so
 * it never shadows a case-sensitive route or the other way round).
 */
export function pathShape(pattern: string, caseInsensitive = false): string {
  const segments = pattern
    .slice(1)
    .split('/')
    .map((segment) => {
      if (segment === '*') return '*';
      if (segment.startsWith(':')) return ':';
      const decoded = decodeUnreserved(segment);
      const literal = typeof decoded === 'string' ? decoded : segment;
      // A literal that starts with ':' once decoded is still a literal: keep it apart from the parameter.
      const escaped = literal.startsWith(':') || literal === '*' ? `\\${literal}` : literal;
      return caseInsensitive ? escaped.toLowerCase() : escaped;
    });
  return `${caseInsensitive ? 'i' : 's'}/${segments.join('/')}`;
}

/**
 * Methods two routes both claim, or null when they share none. A route with methods is tried before one
 * without on the same path, so "some methods" and "any method" split the traffic: no overlap.
 */
function sharedMethods(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length === 0 && b.length === 0) return [];
  if (a.length === 0 || b.length === 0) return null;
  const shared = a.filter((method) => b.includes(method));
  return shared.length === 0 ? null : shared;
}

/**
 * Whether two routes can see the same request: on a common listener. A route without `listeners` may be on any
 * listener without an owner, so it meets every route (a conservative answer: it may report a conflict between a
 * default route and one on an owned listener).
 */
function listenersMeet(a: RouteClaim, b: RouteClaim): boolean {
  if (a.listeners === undefined || b.listeners === undefined) return true;
  return a.listeners.some((name) => b.listeners?.includes(name) === true);
}

function claimKeys(route: RouteClaim): Map<string, { host: string; path: string }> {
  const keys = new Map<string, { host: string; path: string }>();
  const hosts = route.hosts.length === 0 ? [''] : route.hosts;
  for (const host of hosts) {
    for (const path of route.paths) keys.set(`${host}\n${pathShape(path, route.caseInsensitive === true)}`, { host, path });
  }
  return keys;
}

/** Where `route` and `other` claim the same requests, or null when each gets traffic of its own. */
export function routeOverlap(route: RouteClaim, other: RouteClaim): RouteOverlap | null {
  if (!listenersMeet(route, other)) return null;
  const methods = sharedMethods(route.methods, other.methods);
  if (methods === null) return null;
  const otherKeys = claimKeys(other);
  for (const [key, where] of claimKeys(route)) if (otherKeys.has(key)) return { ...where, methods };
  return null;
}

/**
 * The losers among `routes`, given in precedence order (the first claim wins, as the router's file order and
 * Gateway API's oldest-first rule both say). A loser is left out, so it never makes a third route lose.
 * Linear in the number of (host, path) claims: routes are bucketed by claim before methods are compared.
 */
export function findRouteConflicts<T extends RouteClaim>(routes: readonly T[]): RouteConflict<T>[] {
  const winners = new Map<string, T[]>();
  const conflicts: RouteConflict<T>[] = [];
  for (const route of routes) {
    const keys = claimKeys(route);
    let conflict: RouteConflict<T> | null = null;
    for (const [key, where] of keys) {
      for (const winner of winners.get(key) ?? []) {
        if (!listenersMeet(route, winner)) continue;
        const methods = sharedMethods(route.methods, winner.methods);
        if (methods !== null) {
          conflict = { route, winner, overlap: { ...where, methods } };
          break;
        }
      }
      if (conflict !== null) break;
    }
    if (conflict !== null) {
      conflicts.push(conflict);
      continue;
    }
    for (const key of keys.keys()) {
      const bucket = winners.get(key);
      if (bucket === undefined) winners.set(key, [route]);
      else bucket.push(route);
    }
  }
  return conflicts;
}

/** One line a person can act on: what `route` shares with `winner`. */
export function describeOverlap(overlap: RouteOverlap): string {
  const host = overlap.host === '' ? 'any host' : `host ${overlap.host}`;
  const methods = overlap.methods.length === 0 ? 'any method' : overlap.methods.join(', ');
  return `${host}, path ${overlap.path}, ${methods}`;
}
