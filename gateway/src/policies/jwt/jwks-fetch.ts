// One JWKS fetch with every limit of DESIGN §10: https only (http only when the provider says allowHttp), no
// redirects, the host name resolved first and every address checked (link-local and cloud metadata refused),
// then the connection made to the address that was checked (so a second DNS answer cannot swap it), at most
// 256 KiB and 5 s in all. A failure is one of a few classes, never the body or the server's words.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal } from './address-policy.js';

export const JWKS_MAX_BYTES = 256 * 1024;
export const JWKS_TIMEOUT_MS = 5_000;

export type JwksFetchFailure =
  | 'bad_uri'
  | 'dns_failure'
  | 'address_refused'
  | 'connect_failure'
  | 'timeout'
  | 'redirect_refused'
  | 'http_status'
  | 'too_large'
  | 'bad_json';

export type JwksFetchResult = { ok: true; document: unknown; cacheControl: string | undefined } | { ok: false; failure: JwksFetchFailure };

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface JwksFetchOptions {
  allowHttp: boolean;
  /** Resolves a host name to all its addresses; the system resolver when absent (tests inject one). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Trust for an https IdP with a private CA (tests); the system roots when absent. */
  ca?: string | Buffer;
  timeoutMs?: number;
  maxBytes?: number;
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> => dnsLookup(hostname, { all: true, verbatim: true });

/** The address to connect to: the literal, or the first of the resolved ones when none is refused. */
async function checkedAddress(hostname: string, resolve: JwksFetchOptions['resolve']): Promise<ResolvedAddress | JwksFetchFailure> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const family = isIP(literal);
  if (family !== 0) return addressRefusal(literal) === undefined ? { address: literal, family } : 'address_refused';
  let addresses: ResolvedAddress[];
  try {
    addresses = await (resolve ?? systemResolve)(hostname);
  } catch {
    return 'dns_failure';
  }
  if (addresses.length === 0) return 'dns_failure';
  // A name with one refused address is refused whole: which address a client would pick is not ours to guess.
  if (addresses.some((entry) => addressRefusal(entry.address) !== undefined)) return 'address_refused';
  return addresses[0] as ResolvedAddress;
}

/** A lookup that answers with the address already checked, whatever the connection asks. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all === true) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

export async function fetchJwks(uri: string, options: JwksFetchOptions): Promise<JwksFetchResult> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, failure: 'bad_uri' };
  }
  const secure = url.protocol === 'https:';
  if (!secure && !(url.protocol === 'http:' && options.allowHttp)) return { ok: false, failure: 'bad_uri' };
  if (url.username !== '' || url.password !== '') return { ok: false, failure: 'bad_uri' };
  const timeoutMs = options.timeoutMs ?? JWKS_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? JWKS_MAX_BYTES;
  const deadline = Date.now() + timeoutMs;

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<JwksFetchFailure>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const target = await Promise.race([checkedAddress(url.hostname, options.resolve), timedOut]);
    if (typeof target === 'string') return { ok: false, failure: target };
    return await new Promise<JwksFetchResult>((resolve) => {
      const request = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'novagate-jwks' },
          agent: false,
          lookup: pinnedLookup(target),
          autoSelectFamily: false,
          ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
          ...(secure ? { servername: isIP(url.hostname) === 0 ? url.hostname : undefined } : {}),
        } as https.RequestOptions,
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            response.destroy();
            return resolve({ ok: false, failure: 'redirect_refused' });
          }
          if (status !== 200) {
            response.destroy();
            return resolve({ ok: false, failure: 'http_status' });
          }
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) {
            response.destroy();
            return resolve({ ok: false, failure: 'too_large' });
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              response.destroy();
              resolve({ ok: false, failure: 'too_large' });
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', () => resolve({ ok: false, failure: 'connect_failure' }));
          response.on('end', () => {
            try {
              const document: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              const cacheControl = response.headers['cache-control'];
              resolve({ ok: true, document, cacheControl });
            } catch {
              resolve({ ok: false, failure: 'bad_json' });
            }
          });
        },
      );
      request.on('error', () => resolve({ ok: false, failure: Date.now() >= deadline ? 'timeout' : 'connect_failure' }));
      void timedOut.then((failure) => {
        request.destroy();
        resolve({ ok: false, failure });
      });
      request.end();
    });
  } finally {
    clearTimeout(timer);
  }
}

export const MIN_KEY_SET_TTL_SECONDS = 300;
export const MAX_KEY_SET_TTL_SECONDS = 86_400;

/** How long a fetched key set is fresh: Cache-Control max-age clamped to [5 min, 24 h]; 5 min without one. */
export function keySetTtlSeconds(cacheControl: string | undefined): number {
  const match = cacheControl === undefined ? null : /(?:^|[,\s])max-age\s*=\s*"?(\d{1,10})"?/i.exec(cacheControl);
  const maxAge = match === null ? MIN_KEY_SET_TTL_SECONDS : Number(match[1]);
  return Math.min(MAX_KEY_SET_TTL_SECONDS, Math.max(MIN_KEY_SET_TTL_SECONDS, maxAge));
}
