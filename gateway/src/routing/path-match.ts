// The path forms of DESIGN §10 beside §4's strings: `{type: Exact|PathPrefix|RegularExpression, value}` with
// Gateway API HTTPRoute semantics. Pure helpers shared by the schema, the router and the conflict check.
import { RE2JS } from 're2js';

export const PATH_MATCH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
export type PathMatchType = (typeof PATH_MATCH_TYPES)[number];

export interface PathMatchObject {
  type: PathMatchType;
  value: string;
}

/** One entry of `routes[].paths`: a §4 pattern string or a typed object. */
export type RoutePath = string | PathMatchObject;

/** At most this many characters in a regular expression (path, header or query value). */
export const MAX_REGEX_CHARS = 1024;
/** At most this many RegularExpression paths in one config. */
export const MAX_REGEX_PATHS_PER_CONFIG = 1000;

/** Compiles a regular expression on re2js (linear time whatever the input); throws on a pattern re2js refuses. */
export function compileRegex(pattern: string, caseInsensitive = false): RE2JS {
  return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

/** Why re2js refuses `pattern`, or null. */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_CHARS) return `must be at most ${MAX_REGEX_CHARS} characters`;
  try {
    compileRegex(pattern);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `is not a regular expression re2js accepts (${reason})`;
  }
}

/** Whether a path is a prefix match: a PathPrefix object, or a string ending in `/*`. */
export function isPrefixPath(path: RoutePath): boolean {
  if (typeof path === 'string') return path === '/*' || path.endsWith('/*');
  return path.type === 'PathPrefix';
}

/**
 * Whether every path of the route is a prefix match: the only routes on which `replacePrefixMatch` (and so a
 * prefix rewrite or redirect) has a meaning (DESIGN §10).
 */
export function routeHasOnlyPrefixPaths(route: { paths: readonly RoutePath[] }): boolean {
  return route.paths.length > 0 && route.paths.every(isPrefixPath);
}

/** The literal segments of an Exact or PathPrefix value: a PathPrefix ignores one trailing '/' (Gateway API). */
export function literalSegments(path: PathMatchObject): string[] {
  const value = path.type === 'PathPrefix' && path.value.length > 1 && path.value.endsWith('/') ? path.value.slice(0, -1) : path.value;
  if (path.type === 'PathPrefix' && value === '/') return [];
  return value.slice(1).split('/');
}

/** How logs and metrics name the path: the string itself, or `Exact:/health`, `PathPrefix:/v1`, `RegularExpression:/v[0-9]+`. */
export function pathLabel(path: RoutePath): string {
  return typeof path === 'string' ? path : `${path.type}:${path.value}`;
}
