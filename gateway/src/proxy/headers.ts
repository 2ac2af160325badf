// Header rules of DESIGN §5 for both directions: hop-by-hop headers (and what Connection names) removed,
// X-Forwarded-* appended behind a trusted proxy and overwritten otherwise, client X-Consumer-* dropped.
import type { IncomingHttpHeaders } from 'node:http';
import { applyAllHeaderEdits, type HeaderEdits, type ResponseExtras } from './header-edits.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1, and the proxy-* ones): never forwarded, never set by config. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** Set by the gateway itself, so a client's copies never pass. */
const GATEWAY_OWNED: ReadonlySet<string> = new Set([
  'host',
  'expect',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  // Marks the gateway's mirror copies (the copy sets its own); a client's never reaches the primary.
  'x-novagate-mirror',
]);

function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  // What nearly every upstream sends: its one token names a header that is hop-by-hop anyway.
  if (value === undefined || value === 'keep-alive' || value === 'Keep-Alive') return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  const tokens = new Set<string>();
  for (const token of joined.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') tokens.add(name);
  }
  return tokens;
}

function isHopByHop(name: string, named: ReadonlySet<string> | undefined): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || (named !== undefined && named.has(name));
}

export interface UpstreamHeaderOptions {
  requestId: string;
  /** The socket peer address. */
  peer: string;
  peerTrusted: boolean;
  consumerUsername: string | undefined;
  stripped: readonly string[] | undefined;
  /** Set by a policy (jwt claimsToHeaders); their names are in `stripped`, so a client's copies never pass. */
  added?: Readonly<Record<string, string>> | undefined;
  /** Keep Upgrade/Connection for a WebSocket handshake. */
  upgrade: boolean;
  /** The client's scheme, for X-Forwarded-Proto; 'http' when absent. */
  proto?: 'http' | 'https';
  /** Config edits (requestHeaders), applied before the gateway's own headers, which they cannot name. */
  edits?: readonly HeaderEdits[] | undefined;
  /** The Host to send upstream (preserveHost, rewrite.hostname); absent: the target's. */
  host?: string | undefined;
}

export type HeaderRecord = Record<string, string | string[]>;

function appendOrOverwrite(existing: string | string[] | undefined, value: string, trusted: boolean): string {
  if (!trusted || existing === undefined || existing === '') return value;
  return `${Array.isArray(existing) ? existing.join(', ') : existing}, ${value}`;
}

export function upstreamRequestHeaders(headers: IncomingHttpHeaders, options: UpstreamHeaderOptions): HeaderRecord {
  const named = connectionTokens(headers.connection);
  const out: HeaderRecord = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    // HTTP/2 pseudo-headers (`:authority`, `:path`…) never go upstream as headers.
    if (name.charCodeAt(0) === 58 || isHopByHop(name, named) || GATEWAY_OWNED.has(name) || name.startsWith('x-consumer-')) continue;
    if (options.stripped !== undefined && options.stripped.includes(name)) continue;
    out[name] = value;
  }
  applyAllHeaderEdits(out, options.edits);
  if (options.host !== undefined) out.host = options.host;
  const trusted = options.peerTrusted;
  out['x-request-id'] = options.requestId;
  out['x-forwarded-for'] = appendOrOverwrite(headers['x-forwarded-for'], options.peer, trusted);
  out['x-forwarded-proto'] = appendOrOverwrite(headers['x-forwarded-proto'], options.proto ?? 'http', trusted);
  const host = headers.host ?? (headers[':authority'] as string | undefined);
  if (host !== undefined) out['x-forwarded-host'] = appendOrOverwrite(headers['x-forwarded-host'], host, trusted);
  if (options.consumerUsername !== undefined) out['x-consumer-username'] = options.consumerUsername;
  if (options.added !== undefined) for (const name in options.added) out[name] = options.added[name] as string;
  if (options.upgrade && headers.upgrade !== undefined) {
    out.upgrade = headers.upgrade;
    out.connection = 'Upgrade';
  }
  return out;
}

/** Upstream response headers without hop-by-hop ones, edited by the route's policies, plus the gateway's own. */
export function downstreamResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  requestId: string,
  extras: ResponseExtras | undefined,
): HeaderRecord {
  const named = connectionTokens(headers.connection);
  const out: HeaderRecord = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || isHopByHop(name, named)) continue;
    out[name] = value;
  }
  applyAllHeaderEdits(out, extras?.edits);
  out['x-request-id'] = requestId;
  const extra = extras?.headers;
  if (extra !== undefined) for (const name in extra) out[name] = extra[name] as string;
  return out;
}
