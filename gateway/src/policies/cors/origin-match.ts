// Which Origins a route's allowOrigins admits (Gateway API CORS): exact origins, `https://*.example.com` at a
// label boundary only (never `https://example.com`, never `https://evil.example.com.attacker.io`), `null` only
// when listed, `*` any well-formed origin. Schemes and hosts compare ignoring case; the port must be the same.

/** A serialised origin as a browser sends it: scheme, host (or IPv6 literal), optional port. */
const ORIGIN_PATTERN = /^(https?):\/\/([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::([0-9]{1,5}))?$/;

interface WildcardOrigin {
  scheme: string;
  /** `.example.com` */
  suffix: string;
  /** `:8443`, or '' for none. */
  port: string;
}

export interface OriginMatcher {
  readonly any: boolean;
  /** Whether `origin` (the request's Origin header) is admitted. */
  admits(origin: string): boolean;
}

export function compileOriginMatcher(allowOrigins: readonly string[]): OriginMatcher {
  const exact = new Set<string>();
  const wildcards: WildcardOrigin[] = [];
  let any = false;
  let nullListed = false;
  for (const entry of allowOrigins) {
    const lower = entry.toLowerCase();
    if (lower === '*') any = true;
    else if (lower === 'null') nullListed = true;
    else if (lower.includes('://*.')) {
      const [scheme, rest] = lower.split('://*.') as [string, string];
      const colon = rest.indexOf(':');
      wildcards.push({ scheme, suffix: `.${colon === -1 ? rest : rest.slice(0, colon)}`, port: colon === -1 ? '' : rest.slice(colon) });
    } else exact.add(lower);
  }
  return {
    any,
    admits(origin) {
      if (origin.length > 300) return false;
      const lower = origin.toLowerCase();
      if (lower === 'null') return nullListed;
      const parsed = ORIGIN_PATTERN.exec(lower);
      if (parsed === null) return false;
      if (any || exact.has(lower)) return true;
      const scheme = parsed[1] as string;
      const host = parsed[2] as string;
      const port = parsed[3] === undefined ? '' : `:${parsed[3]}`;
      for (const wildcard of wildcards) {
        if (wildcard.scheme === scheme && wildcard.port === port && host.length > wildcard.suffix.length && host.endsWith(wildcard.suffix)) return true;
      }
      return false;
    },
  };
}
