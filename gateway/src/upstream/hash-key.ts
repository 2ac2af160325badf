// What consistent-hash balancing hashes on, read from the request: a header, a cookie, the client IP or the
// consumer. Pure; never throws on malformed input (a Cookie header with no '=' or stray ';' just has no match);
// an absent or empty key is undefined and the pool falls back to round-robin.
import type { IncomingHttpHeaders } from 'node:http';

export interface PickContext {
  readonly headers: IncomingHttpHeaders;
  /** The client address as the gateway determined it (TRUSTED_PROXIES applied). */
  readonly clientIp: string | undefined;
  /** The authenticated consumer's username, if any. */
  readonly consumer: string | undefined;
}

export interface HashOn {
  readonly type: 'header' | 'cookie' | 'client-ip' | 'consumer';
  /** Header or cookie name; header names are matched in lower case. */
  readonly name?: string | undefined;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  return value;
}

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), or undefined. */
export function cookieValue(header: string, name: string): string | undefined {
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq > start && eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      return value === '' ? undefined : value;
    }
    start = end + 1;
  }
  return undefined;
}

export function hashKeyOf(hashOn: HashOn, context: PickContext): string | undefined {
  let key: string | undefined;
  switch (hashOn.type) {
    case 'header':
      key = firstValue(context.headers[(hashOn.name as string).toLowerCase()]);
      break;
    case 'cookie': {
      // HTTP/2 clients may send several cookie headers; RFC 9113 §8.2.3 joins them with '; '.
      const cookies = context.headers.cookie as string | string[] | undefined;
      const header = Array.isArray(cookies) ? cookies.join('; ') : cookies;
      key = header === undefined ? undefined : cookieValue(header, hashOn.name as string);
      break;
    }
    case 'client-ip':
      key = context.clientIp;
      break;
    case 'consumer':
      key = context.consumer;
      break;
  }
  return key === '' ? undefined : key;
}
