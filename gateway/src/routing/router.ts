// The route table of DESIGN §4 and §10, compiled once per config. Per host (exact, then `*.` wildcards longest
// first, then routes without hosts) a table answers in §10's precedence: Exact paths (a map lookup), then
// RegularExpression paths (longer first; only those whose literal prefix fits the request are run), then §4
// strings and PathPrefix in a segment trie walked depth first (exact segment, then `:param`, then `/*`). Among
// routes of the same rank: methods before none, most header matches, most query matches, then file order.
// Header and query matches are evaluated only for such candidates, never to find them.
import type { RE2JS } from 're2js';
import { decodeUnreserved } from './normalize-path.js';
import { compileRegex, literalSegments, pathLabel, type RoutePath } from './path-match.js';
import { compileConditions, type ConditionsTest, type RequestFacts, type RouteMatchConditions } from './request-match.js';

export interface RouteDefinition<T> {
  /** What a match hands back (the compiled route). */
  target: T;
  paths: readonly RoutePath[];
  /** Upper-case methods; empty = any. */
  methods: readonly string[];
  /** Lower-case hostnames, or `*.`-wildcards; empty = any. */
  hosts: readonly string[];
  /** Literal segments match whatever their case (Gateway API's default is case-sensitive). */
  caseInsensitive?: boolean;
  /** `match.headers` and `match.query`: all must hold. */
  match?: RouteMatchConditions | undefined;
}

export interface RouteMatch<T> {
  target: T;
  /** The path pattern that matched, e.g. `/users/:id` or `Exact:/health`: the label of logs and metrics. */
  template: string;
  /** The request path with the pattern's matched prefix removed (for `stripPrefix`), always starting with '/'. */
  strippedPath: string;
}

interface Entry<T> {
  target: T;
  template: string;
  methods: ReadonlySet<string> | null;
  headerCount: number;
  queryCount: number;
  conditions: ConditionsTest | null;
  order: number;
}

interface RegexEntry<T> extends Entry<T> {
  regex: RE2JS;
  /** Characters every path the regex matches starts with ('' when unknown). */
  literalPrefix: string;
  length: number;
}

interface TrieNode<T> {
  literal: Map<string, TrieNode<T>>;
  /** Literal segments of case-insensitive routes, lower case. */
  folded: Map<string, TrieNode<T>>;
  param: TrieNode<T> | null;
  /** Routes ending here. */
  terminal: Entry<T>[];
  /** Routes whose `/*` (or PathPrefix) starts below this node. */
  wildcard: Entry<T>[];
}

interface HostTable<T> {
  trie: TrieNode<T>;
  exact: Map<string, Entry<T>[]>;
  /** Exact paths of case-insensitive routes, by lower-case path. */
  exactFolded: Map<string, Entry<T>[]>;
  /** RegularExpression paths by the first path segment their literal prefix fixes. */
  regexBySegment: Map<string, RegexEntry<T>[]>;
  /** RegularExpression paths without such a segment. */
  regexOther: RegexEntry<T>[];
}

const newNode = <T>(): TrieNode<T> => ({ literal: new Map(), folded: new Map(), param: null, terminal: [], wildcard: [] });
const newTable = <T>(): HostTable<T> => ({ trie: newNode(), exact: new Map(), exactFolded: new Map(), regexBySegment: new Map(), regexOther: [] });

/** A pattern step: a literal segment (as the normalised request spells it), a parameter, or the prefix wildcard. */
type Step = { kind: 'literal'; text: string } | { kind: 'param' } | { kind: 'wildcard' };

function literalStep(segment: string): Step {
  const decoded = decodeUnreserved(segment);
  return { kind: 'literal', text: typeof decoded === 'string' ? decoded : segment };
}

function stringSteps(pattern: string): Step[] {
  return pattern
    .slice(1)
    .split('/')
    .map((segment): Step => (segment === '*' ? { kind: 'wildcard' } : segment.startsWith(':') ? { kind: 'param' } : literalStep(segment)));
}

function insert<T>(root: TrieNode<T>, steps: readonly Step[], entry: Entry<T>, caseInsensitive: boolean): void {
  let node = root;
  for (const step of steps) {
    if (step.kind === 'wildcard') {
      node.wildcard.push(entry);
      return;
    }
    if (step.kind === 'param') {
      node.param ??= newNode();
      node = node.param;
      continue;
    }
    const children = caseInsensitive ? node.folded : node.literal;
    const key = caseInsensitive ? step.text.toLowerCase() : step.text;
    let child = children.get(key);
    if (child === undefined) {
      child = newNode();
      children.set(key, child);
    }
    node = child;
  }
  node.terminal.push(entry);
}

/** Same rank: routes with methods first, then most header matches, most query matches, then file order. */
function byPrecedence<T>(a: Entry<T>, b: Entry<T>): number {
  return (
    (a.methods === null ? 1 : 0) - (b.methods === null ? 1 : 0) ||
    b.headerCount - a.headerCount ||
    b.queryCount - a.queryCount ||
    a.order - b.order
  );
}

/** Longer regular expressions first, then as `byPrecedence`. */
function byRegexPrecedence<T>(a: RegexEntry<T>, b: RegexEntry<T>): number {
  return b.length - a.length || byPrecedence(a, b);
}

function sortNode<T>(node: TrieNode<T>): void {
  node.terminal.sort(byPrecedence);
  node.wildcard.sort(byPrecedence);
  for (const child of node.literal.values()) sortNode(child);
  for (const child of node.folded.values()) sortNode(child);
  if (node.param !== null) sortNode(node.param);
}

function sortTable<T>(table: HostTable<T>): void {
  sortNode(table.trie);
  for (const entries of table.exact.values()) entries.sort(byPrecedence);
  for (const entries of table.exactFolded.values()) entries.sort(byPrecedence);
  for (const entries of table.regexBySegment.values()) entries.sort(byRegexPrecedence);
  table.regexOther.sort(byRegexPrecedence);
}

const REGEX_META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
const QUANTIFIERS = new Set(['*', '?', '{', '+']);

/** The characters every match of `pattern` starts with: its leading literal text ('' for an alternation). */
export function regexLiteralPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let end = 0;
  while (end < pattern.length && !REGEX_META.has(pattern[end] as string)) end++;
  // A quantifier after the literal applies to its last character, which may then be absent.
  if (end < pattern.length && QUANTIFIERS.has(pattern[end] as string)) end = Math.max(0, end - 1);
  return pattern.slice(0, end);
}

function addRegex<T>(table: HostTable<T>, entry: RegexEntry<T>): void {
  const slash = entry.literalPrefix.indexOf('/', 1);
  if (entry.literalPrefix.startsWith('/') && slash !== -1) {
    const segment = entry.literalPrefix.slice(1, slash);
    const bucket = table.regexBySegment.get(segment);
    if (bucket === undefined) table.regexBySegment.set(segment, [entry]);
    else bucket.push(entry);
  } else {
    table.regexOther.push(entry);
  }
}

function addPath<T>(table: HostTable<T>, path: RoutePath, base: Omit<Entry<T>, 'template'>, caseInsensitive: boolean): void {
  // One object shape for every entry (a literal, not a spread), so the lookup's property reads stay monomorphic.
  const entry: Entry<T> = {
    target: base.target,
    template: pathLabel(path),
    methods: base.methods,
    headerCount: base.headerCount,
    queryCount: base.queryCount,
    conditions: base.conditions,
    order: base.order,
  };
  if (typeof path === 'string') {
    insert(table.trie, stringSteps(path), entry, caseInsensitive);
    return;
  }
  if (path.type === 'RegularExpression') {
    addRegex(table, {
      ...entry,
      regex: compileRegex(path.value, caseInsensitive),
      literalPrefix: caseInsensitive ? '' : regexLiteralPrefix(path.value),
      length: path.value.length,
    });
    return;
  }
  const steps = literalSegments(path).map(literalStep);
  if (path.type === 'PathPrefix') {
    insert(table.trie, [...steps, { kind: 'wildcard' }], entry, caseInsensitive);
    return;
  }
  const exact = `/${steps.map((step) => (step.kind === 'literal' ? step.text : '')).join('/')}`;
  const map = caseInsensitive ? table.exactFolded : table.exact;
  const key = caseInsensitive ? exact.toLowerCase() : exact;
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [entry]);
  else bucket.push(entry);
}

const NO_FACTS: RequestFacts = { rawHeaders: [], query: '' };

function admits<T>(entry: Entry<T>, method: string, facts: RequestFacts): boolean {
  return (entry.methods === null || entry.methods.has(method)) && (entry.conditions === null || entry.conditions(facts));
}

function pick<T>(entries: readonly Entry<T>[] | undefined, method: string, facts: RequestFacts): Entry<T> | undefined {
  if (entries === undefined) return undefined;
  for (const entry of entries) if (admits(entry, method, facts)) return entry;
  return undefined;
}

interface Hit<T> {
  entry: Entry<T>;
  consumed: number;
}

function search<T>(node: TrieNode<T>, segments: readonly string[], i: number, method: string, facts: RequestFacts): Hit<T> | undefined {
  if (i === segments.length) {
    const entry = pick(node.terminal, method, facts) ?? pick(node.wildcard, method, facts);
    return entry === undefined ? undefined : { entry, consumed: i };
  }
  const segment = segments[i] as string;
  const child = node.literal.get(segment);
  if (child !== undefined) {
    const hit = search(child, segments, i + 1, method, facts);
    if (hit !== undefined) return hit;
  }
  // Same rank as an exact segment, after it: a case-sensitive route spelled like the request wins.
  if (node.folded.size > 0) {
    const folded = node.folded.get(segment.toLowerCase());
    if (folded !== undefined) {
      const hit = search(folded, segments, i + 1, method, facts);
      if (hit !== undefined) return hit;
    }
  }
  if (node.param !== null && segment !== '') {
    const hit = search(node.param, segments, i + 1, method, facts);
    if (hit !== undefined) return hit;
  }
  if (node.wildcard.length > 0) {
    const entry = pick(node.wildcard, method, facts);
    if (entry !== undefined) return { entry, consumed: i };
  }
  return undefined;
}

function regexAdmits<T>(entry: RegexEntry<T>, path: string, method: string, facts: RequestFacts): boolean {
  return (
    path.startsWith(entry.literalPrefix) &&
    (entry.methods === null || entry.methods.has(method)) &&
    entry.regex.matches(path) &&
    (entry.conditions === null || entry.conditions(facts))
  );
}

/** The first regex candidate that matches, walking the request's segment bucket and the others in precedence order. */
function searchRegex<T>(table: HostTable<T>, path: string, segments: readonly string[], method: string, facts: RequestFacts): RegexEntry<T> | undefined {
  const bucket = table.regexBySegment.size === 0 ? undefined : table.regexBySegment.get(segments[0] as string);
  const other = table.regexOther;
  let a = 0;
  let b = 0;
  const aLength = bucket?.length ?? 0;
  while (a < aLength || b < other.length) {
    let entry: RegexEntry<T>;
    if (b >= other.length || (a < aLength && byRegexPrecedence(bucket?.[a] as RegexEntry<T>, other[b] as RegexEntry<T>) <= 0)) {
      entry = bucket?.[a++] as RegexEntry<T>;
    } else {
      entry = other[b++] as RegexEntry<T>;
    }
    if (regexAdmits(entry, path, method, facts)) return entry;
  }
  return undefined;
}

function searchTable<T>(table: HostTable<T>, path: string, segments: readonly string[], method: string, facts: RequestFacts): Hit<T> | undefined {
  if (table.exact.size > 0) {
    const entry = pick(table.exact.get(path), method, facts);
    if (entry !== undefined) return { entry, consumed: segments.length };
  }
  if (table.exactFolded.size > 0) {
    const entry = pick(table.exactFolded.get(path.toLowerCase()), method, facts);
    if (entry !== undefined) return { entry, consumed: segments.length };
  }
  if (table.regexOther.length > 0 || table.regexBySegment.size > 0) {
    const entry = searchRegex(table, path, segments, method, facts);
    if (entry !== undefined) return { entry, consumed: 0 };
  }
  return search(table.trie, segments, 0, method, facts);
}

export interface Router<T> {
  /**
   * The winning route for a normalised path, or undefined. `request` carries the headers and query that
   * `match.headers`/`match.query` read; without it, routes with such matches never match.
   */
  match(method: string, host: string, path: string, request?: RequestFacts): RouteMatch<T> | undefined;
}

/** Builds the route table; `definitions` are in file order. */
export function compileRouter<T>(definitions: readonly RouteDefinition<T>[]): Router<T> {
  const anyHost = newTable<T>();
  const byHost = new Map<string, HostTable<T>>();
  /** `*.example.com` routes by suffix `.example.com`. */
  const byWildcard = new Map<string, HostTable<T>>();
  const tableOf = (tables: Map<string, HostTable<T>>, key: string): HostTable<T> => {
    let table = tables.get(key);
    if (table === undefined) {
      table = newTable();
      tables.set(key, table);
    }
    return table;
  };
  let order = 0;
  for (const definition of definitions) {
    const methods = definition.methods.length === 0 ? null : new Set(definition.methods);
    const caseInsensitive = definition.caseInsensitive === true;
    const conditions = compileConditions(definition.match);
    const headerCount = definition.match?.headers?.length ?? 0;
    const queryCount = definition.match?.query?.length ?? 0;
    for (const path of definition.paths) {
      const base = { target: definition.target, methods, headerCount, queryCount, conditions, order: order++ };
      if (definition.hosts.length === 0) addPath(anyHost, path, base, caseInsensitive);
      for (const host of definition.hosts) {
        const table = host.startsWith('*.') ? tableOf(byWildcard, host.slice(1)) : tableOf(byHost, host);
        addPath(table, path, base, caseInsensitive);
      }
    }
  }
  sortTable(anyHost);
  for (const table of byHost.values()) sortTable(table);
  for (const table of byWildcard.values()) sortTable(table);
  const wildcards = [...byWildcard.entries()].sort(([a], [b]) => b.length - a.length);

  return {
    match(method, host, path, request = NO_FACTS) {
      const segments = path.slice(1).split('/');
      let hit: Hit<T> | undefined;
      const hostTable = byHost.size === 0 ? undefined : byHost.get(host);
      if (hostTable !== undefined) hit = searchTable(hostTable, path, segments, method, request);
      for (let i = 0; hit === undefined && i < wildcards.length; i++) {
        const [suffix, table] = wildcards[i] as [string, HostTable<T>];
        if (host.length > suffix.length && host.endsWith(suffix)) hit = searchTable(table, path, segments, method, request);
      }
      hit ??= searchTable(anyHost, path, segments, method, request);
      if (hit === undefined) return undefined;
      const strippedPath = hit.consumed === 0 ? path : `/${segments.slice(hit.consumed).join('/')}`;
      return { target: hit.entry.target, template: hit.entry.template, strippedPath };
    },
  };
}

/** The Host header as routes name it: lower case, without port. */
export function hostOf(header: string | undefined): string {
  if (header === undefined) return '';
  let host = header;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host.toLowerCase() : host.slice(0, end + 1).toLowerCase();
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  return host.toLowerCase();
}
