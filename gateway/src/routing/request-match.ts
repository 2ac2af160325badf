// `match.headers` and `match.query` of DESIGN §10 (Gateway API HTTPRoute semantics): every entry must hold
// (AND). Compiled once per config; evaluated only for the route candidates the path lookup found.
import type { RE2JS } from 're2js';
import { compileRegex } from './path-match.js';

export const VALUE_MATCH_TYPES = ['Exact', 'RegularExpression'] as const;
export type ValueMatchType = (typeof VALUE_MATCH_TYPES)[number];

export interface ValueMatch {
  name: string;
  value: string;
  type?: ValueMatchType | undefined;
}

export interface RouteMatchConditions {
  headers?: readonly ValueMatch[] | undefined;
  query?: readonly ValueMatch[] | undefined;
}

/** At most this many header (and this many query) matches per route. */
export const MAX_VALUE_MATCHES = 16;

/** What the matcher reads from a request. */
export interface RequestFacts {
  /** Node's `rawHeaders`: name, value, name, value… as received (duplicates kept). */
  rawHeaders: readonly string[];
  /** The query string, with or without its leading '?'. */
  query: string;
}

type ValueTest = (value: string) => boolean;

function valueTest(match: ValueMatch): ValueTest {
  if (match.type === 'RegularExpression') {
    const regex: RE2JS = compileRegex(match.value);
    return (value) => regex.matches(value);
  }
  const expected = match.value;
  return (value) => value === expected;
}

/**
 * A header's value as the upstream may read it: every field line with that name (case-insensitive), joined
 * with ", " (RFC 9110 §5.3). A client that repeats a header to smuggle a second value past the match sees the
 * joined value compared, never only the first or the last. undefined when the header is absent.
 */
export function combinedHeader(rawHeaders: readonly string[], lowerName: string): string | undefined {
  let combined: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    const value = (rawHeaders[i + 1] as string).trim();
    combined = combined === undefined ? value : `${combined}, ${value}`;
  }
  return combined;
}

/** At most this many query parameters are read; a longer query simply matches nothing past them. */
const MAX_QUERY_PARAMS = 256;

function decodeComponent(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Every value of query parameter `name` (percent-decoded, case-sensitive name), in order. */
export function queryValues(query: string, name: string): string[] {
  const values: string[] = [];
  const text = query.startsWith('?') ? query.slice(1) : query;
  if (text === '') return values;
  let start = 0;
  for (let count = 0; count < MAX_QUERY_PARAMS && start <= text.length; count++) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pair = text.slice(start, end);
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (key === name) values.push(decodeComponent(eq === -1 ? '' : pair.slice(eq + 1)));
    start = end + 1;
  }
  return values;
}

export type ConditionsTest = (request: RequestFacts) => boolean;

/**
 * Compiles a route's header and query matches into one test, or null when it has none. A header matches on its
 * combined value; a query parameter matches when it is present and every occurrence matches (so a repeated
 * parameter cannot make the route see one value and the upstream another).
 */
export function compileConditions(conditions: RouteMatchConditions | undefined): ConditionsTest | null {
  const headers = (conditions?.headers ?? []).map((match) => ({ name: match.name.toLowerCase(), test: valueTest(match) }));
  const query = (conditions?.query ?? []).map((match) => ({ name: match.name, test: valueTest(match) }));
  if (headers.length === 0 && query.length === 0) return null;
  return (request) => {
    for (const header of headers) {
      const value = combinedHeader(request.rawHeaders, header.name);
      if (value === undefined || !header.test(value)) return false;
    }
    for (const param of query) {
      const values = queryValues(request.query, param.name);
      if (values.length === 0) return false;
      for (const value of values) if (!param.test(value)) return false;
    }
    return true;
  };
}
