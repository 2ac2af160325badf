// Header edits set by config (requestHeaders / responseHeaders, Gateway API's header modifiers) and by policies
// (CORS): compiled once per config with lower-case names, applied to a header record in one pass each. `remove`
// first, then `set` (replaces), then `add` (appends to what is there, as another field line).
export interface HeaderEdits {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
  /** Also applied to the gateway's own error answers (CORS, so a browser can read a 401). */
  readonly onErrors?: boolean;
}

export type MutableHeaders = Record<string, string | string[] | number | undefined>;

export interface HeaderEditsConfig {
  set?: Record<string, string> | undefined;
  add?: Record<string, string> | undefined;
  remove?: string[] | undefined;
}

export function compileHeaderEdits(config: HeaderEditsConfig): HeaderEdits {
  const pairs = (record: Record<string, string> | undefined) => Object.entries(record ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  return { set: pairs(config.set), add: pairs(config.add), remove: (config.remove ?? []).map((name) => name.toLowerCase()) };
}

function append(existing: string | string[] | number | undefined, value: string): string | string[] {
  if (existing === undefined) return value;
  if (Array.isArray(existing)) return [...existing, value];
  return [String(existing), value];
}

/** Applies `edits` to `headers` (lower-case names) in place. */
export function applyHeaderEdits(headers: MutableHeaders, edits: HeaderEdits): void {
  for (const name of edits.remove) delete headers[name];
  for (const [name, value] of edits.set) headers[name] = value;
  for (const [name, value] of edits.add) headers[name] = append(headers[name], value);
}

/** Applies every edit of `list` in order; nothing when undefined. */
export function applyAllHeaderEdits(headers: MutableHeaders, list: readonly HeaderEdits[] | undefined, errorsOnly = false): void {
  if (list === undefined) return;
  for (const edits of list) if (!errorsOnly || edits.onErrors === true) applyHeaderEdits(headers, edits);
}

/** What the proxy adds to an upstream response: the gateway's own headers (RateLimit-*) and the policies' edits. */
export interface ResponseExtras {
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly edits: readonly HeaderEdits[] | undefined;
}
