// The route table of DESIGN §4, compiled once per config into per-host segment tries. Lookup walks a trie
// depth first in precedence order (exact segment, then `:param`, then `/*`), so the first hit is the winner.
import { decodeUnreserved } from './normalize-path.js';

export interface RouteDefinition<T> {
  /** What a match hands back (the compiled route). */
  target: T;
  paths: readonly string[];
  /** Upper-case methods; empty = any. */
  methods: readonly string[];
  /** Lower-case hostnames; empty = any. */
  hosts: readonly string[];
  /** Literal segments match whatever their case (Gateway API's default is case-sensitive). */
  caseInsensitive?: boolean;
}

export interface RouteMatch<T> {
  target: T;
  /** The path pattern that matched, e.g. `/users/:id`: the label of logs and metrics. */
  template: string;
  /** The request path with the pattern's matched prefix removed (for `stripPrefix`), always starting with '/'. */
  strippedPath: string;
}

interface Entry<T> {
  target: T;
  template: string;
  methods: ReadonlySet<string> | null;
  order: number;
}

interface TrieNode<T> {
  literal: Map<string, TrieNode<T>>;
  /** Literal segments of case-insensitive routes, lower case. */
  folded: Map<string, TrieNode<T>>;
  param: TrieNode<T> | null;
  /** Routes ending here. */
  terminal: Entry<T>[];
  /** Routes whose `/*` starts below this node. */
  wildcard: Entry<T>[];
}

const newNode = <T>(): TrieNode<T> => ({ literal: new Map(), folded: new Map(), param: null, terminal: [], wildcard: [] });

function patternSegments(pattern: string): string[] {
  return pattern.slice(1).split('/');
}

function insert<T>(root: TrieNode<T>, pattern: string, entry: Entry<T>, caseInsensitive: boolean): void {
  let node = root;
  for (const segment of patternSegments(pattern)) {
    if (segment === '*') {
      node.wildcard.push(entry);
      return;
    }
    if (segment.startsWith(':')) {
      node.param ??= newNode();
      node = node.param;
      continue;
    }
    const decoded = decodeUnreserved(segment);
    const exact = typeof decoded === 'string' ? decoded : segment;
    const children = caseInsensitive ? node.folded : node.literal;
    const key = caseInsensitive ? exact.toLowerCase() : exact;
    let child = children.get(key);
    if (child === undefined) {
      child = newNode();
      children.set(key, child);
    }
    node = child;
  }
  node.terminal.push(entry);
}

/** Routes with methods before routes without, then file order. */
function sortEntries<T>(node: TrieNode<T>): void {
  const byPrecedence = (a: Entry<T>, b: Entry<T>) =>
    (a.methods === null ? 1 : 0) - (b.methods === null ? 1 : 0) || a.order - b.order;
  node.terminal.sort(byPrecedence);
  node.wildcard.sort(byPrecedence);
  for (const child of node.literal.values()) sortEntries(child);
  for (const child of node.folded.values()) sortEntries(child);
  if (node.param !== null) sortEntries(node.param);
}

function pick<T>(entries: readonly Entry<T>[], method: string): Entry<T> | undefined {
  for (const entry of entries) if (entry.methods === null || entry.methods.has(method)) return entry;
  return undefined;
}

interface Hit<T> {
  entry: Entry<T>;
  consumed: number;
}

function search<T>(node: TrieNode<T>, segments: readonly string[], i: number, method: string): Hit<T> | undefined {
  if (i === segments.length) {
    const entry = pick(node.terminal, method) ?? pick(node.wildcard, method);
    return entry === undefined ? undefined : { entry, consumed: i };
  }
  const segment = segments[i] as string;
  const child = node.literal.get(segment);
  if (child !== undefined) {
    const hit = search(child, segments, i + 1, method);
    if (hit !== undefined) return hit;
  }
  // Same rank as an exact segment, after it: a case-sensitive route spelled like the request wins.
  if (node.folded.size > 0) {
    const folded = node.folded.get(segment.toLowerCase());
    if (folded !== undefined) {
      const hit = search(folded, segments, i + 1, method);
      if (hit !== undefined) return hit;
    }
  }
  if (node.param !== null && segment !== '') {
    const hit = search(node.param, segments, i + 1, method);
    if (hit !== undefined) return hit;
  }
  if (node.wildcard.length > 0) {
    const entry = pick(node.wildcard, method);
    if (entry !== undefined) return { entry, consumed: i };
  }
  return undefined;
}

export interface Router<T> {
  match(method: string, host: string, path: string): RouteMatch<T> | undefined;
}

/** Builds the route table; `definitions` are in file order. */
export function compileRouter<T>(definitions: readonly RouteDefinition<T>[]): Router<T> {
  const anyHost = newNode<T>();
  const byHost = new Map<string, TrieNode<T>>();
  let order = 0;
  for (const definition of definitions) {
    const methods = definition.methods.length === 0 ? null : new Set(definition.methods);
    for (const template of definition.paths) {
      const entry: Entry<T> = { target: definition.target, template, methods, order: order++ };
      const caseInsensitive = definition.caseInsensitive === true;
      if (definition.hosts.length === 0) insert(anyHost, template, entry, caseInsensitive);
      for (const host of definition.hosts) {
        let root = byHost.get(host);
        if (root === undefined) {
          root = newNode();
          byHost.set(host, root);
        }
        insert(root, template, entry, caseInsensitive);
      }
    }
  }
  sortEntries(anyHost);
  for (const root of byHost.values()) sortEntries(root);

  return {
    match(method, host, path) {
      const segments = patternSegments(path);
      const hostRoot = byHost.size === 0 ? undefined : byHost.get(host);
      const hit =
        (hostRoot === undefined ? undefined : search(hostRoot, segments, 0, method)) ?? search(anyHost, segments, 0, method);
      if (hit === undefined) return undefined;
      const strippedPath = `/${segments.slice(hit.consumed).join('/')}`;
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
