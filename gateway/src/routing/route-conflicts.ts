// Which routes can never receive traffic because another route claims exactly the same requests (DESIGN §10):
// the same host, the same path shape, overlapping methods and identical header/query matches. The router still serves such a config (file
// order decides); the admin API and the operator use this to refuse or report the loser.
import { decodeUnreserved } from './normalize-path.js';
import { literalSegments, pathLabel, type RoutePath } from './path-match.js';
import type { RouteMatchConditions, ValueMatch } from './request-match.js';

/** What a route claims, as the router sees it (the fields of `RouteConfig` that decide matching). */
export interface RouteClaim {
  name: string;
  paths: readonly RoutePath[];
  /** Upper-case methods; empty = any. */
  methods: readonly string[];
  /** Lower-case hostnames; empty = any host. */
  hosts: readonly string[];
  caseInsensitive?: boolean | undefined;
  /** The listeners the route attaches to; absent = the default set (DESIGN §10), taken as meeting every set. */
  listeners?: readonly string[] | undefined;
  /** `match.headers` and `match.query`: routes that differ in them split the traffic. */
  match?: RouteMatchConditions | undefined;
}

export interface RouteOverlap {
  host: string;
  /** The path as written: the string, or `Exact:/health`, `PathPrefix:/v1`, `RegularExpression:…`. */
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
      // A literal that starts with ':' once decoded is still a literal: keep it apart from the parameter.
      return literalShape(typeof decoded === 'string' ? decoded : segment, caseInsensitive);
    });
  return `${caseInsensitive ? 'i' : 's'}/${segments.join('/')}`;
}

/** A literal segment as the trie keys it, kept apart from `:` and `*`. */
function literalShape(literal: string, caseInsensitive: boolean): string {
  const escaped = literal.startsWith(':') || literal.startsWith('\\') || literal === '*' ? `\\${literal}` : literal;
  return caseInsensitive ? escaped.toLowerCase() : escaped;
}

/**
 * The shape of any path. PathPrefix `/v1` has the rank and the requests of `/v1/*`: the same shape. Exact paths
 * and RegularExpressions rank above every string (DESIGN §10), so they only conflict among their own kind (an
 * Exact `/health` shadows a string `/health`, which file order could not change: not reported as a conflict).
 */
export function routePathShape(path: RoutePath, caseInsensitive = false): string {
  if (typeof path === 'string') return pathShape(path, caseInsensitive);
  const flag = caseInsensitive ? 'i' : 's';
  if (path.type === 'RegularExpression') return `${flag}~${path.value}`;
  const segments = literalSegments(path).map((segment) => {
    const decoded = decodeUnreserved(segment);
    return literalShape(typeof decoded === 'string' ? decoded : segment, caseInsensitive);
  });
  if (path.type === 'PathPrefix') return `${flag}/${[...segments, '*'].join('/')}`;
  return `${flag}=/${segments.join('/')}`;
}

function valueMatchesKey(matches: readonly ValueMatch[] | undefined, foldNames: boolean): string {
  if (matches === undefined || matches.length === 0) return '';
  return matches
    .map((match) => JSON.stringify([foldNames ? match.name.toLowerCase() : match.name, match.type ?? 'Exact', match.value]))
    .sort()
    .join(',');
}

/** Header and query matches in a canonical form: equal keys, identical matches (order and name case aside). */
export function matchConditionsKey(match: RouteMatchConditions | undefined): string {
  return `${valueMatchesKey(match?.headers, true)}|${valueMatchesKey(match?.query, false)}`;
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
 * Whether two routes can see the same request: on a common listener. A route without `listeners` is on every
 * listener without an owner (DESIGN §10). With `owned` (the names of listeners that have a `gateway` owner) it meets
 * a route with listeners only when that route names an unowned one; without it the answer is conservative: it meets
 * every route.
 */
function listenersMeet(a: RouteClaim, b: RouteClaim, owned: ReadonlySet<string> | undefined): boolean {
  if (a.listeners === undefined && b.listeners === undefined) return true;
  if (a.listeners === undefined || b.listeners === undefined) {
    const named = (a.listeners ?? b.listeners) as readonly string[];
    return owned === undefined || named.some((name) => !owned.has(name));
  }
  return a.listeners.some((name) => b.listeners?.includes(name) === true);
}

function claimKeys(route: RouteClaim): Map<string, { host: string; path: string }> {
  const keys = new Map<string, { host: string; path: string }>();
  const hosts = route.hosts.length === 0 ? [''] : route.hosts;
  const conditions = matchConditionsKey(route.match);
  for (const host of hosts) {
    for (const path of route.paths) {
      keys.set(`${host}\n${routePathShape(path, route.caseInsensitive === true)}\n${conditions}`, { host, path: pathLabel(path) });
    }
  }
  return keys;
}

/** Where `route` and `other` claim the same requests, or null when each gets traffic of its own. */
export function routeOverlap(route: RouteClaim, other: RouteClaim, ownedListeners?: ReadonlySet<string>): RouteOverlap | null {
  if (!listenersMeet(route, other, ownedListeners)) return null;
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
export function findRouteConflicts<T extends RouteClaim>(routes: readonly T[], ownedListeners?: ReadonlySet<string>): RouteConflict<T>[] {
  const winners = new Map<string, T[]>();
  const conflicts: RouteConflict<T>[] = [];
  for (const route of routes) {
    const keys = claimKeys(route);
    let conflict: RouteConflict<T> | null = null;
    for (const [key, where] of keys) {
      for (const winner of winners.get(key) ?? []) {
        if (!listenersMeet(route, winner, ownedListeners)) continue;
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
