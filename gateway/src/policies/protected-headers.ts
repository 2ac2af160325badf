// The headers config can never set (DESIGN §10 "Headers set by config"): hop-by-hop headers, the ones the
// gateway writes itself, and the ones an upstream trusts because the gateway set them. One list for every field
// that names a header to send (requestHeaders, responseHeaders, jwt claimsToHeaders).

import { HOP_BY_HOP } from '../proxy/headers.js';

const PROTECTED_EXACT: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  'expect',
  'content-length',
  'x-request-id',
  'x-novagate-mirror',
  'ratelimit',
]);
const PROTECTED_PREFIXES = ['proxy-', 'x-forwarded-', 'x-consumer-', 'ratelimit-'] as const;

/** Why config may not set this header (a sentence naming it), or null. */
export function protectedHeaderProblem(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === 'host') return 'Host is set by the gateway (use rewrite.hostname or preserveHost)';
  if (PROTECTED_EXACT.has(lower)) return `${name} is set by the gateway and cannot be changed by config`;
  for (const prefix of PROTECTED_PREFIXES) if (lower.startsWith(prefix)) return `${prefix}* headers are set by the gateway and cannot be changed by config`;
  return null;
}
