// The `jwt` policy of a route with `jwt.providers` (DESIGN §10): a Bearer token signed by one of the route's
// identity providers with an asymmetric algorithm. The token's `iss` picks the provider; the provider's
// algorithms and the chosen key decide the algorithm; HS256 and `none` are refused. Verified tokens are cached
// by SHA-256 (claims, consumer and headers) until `exp` or a change of the provider's keys, so steady traffic
// pays a hash and a map lookup. Keys in memory verify synchronously; only a missing key set or an unknown kid
// waits, on one shared fetch.
import { createHash } from 'node:crypto';
import { GatewayError, unauthorized } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy, PolicyOutcome, RequestContext } from '../../pipeline/policy.js';
import { bearerToken } from '../credentials.js';
import type { AsymmetricAlgorithm } from './algorithms.js';
import type { KeySet, KeySource } from './key-source.js';
import type { JwtProviderConfig } from './schema.js';
import { parseToken, type ParsedToken } from './token.js';
import { candidateKeys, headerRequest, signatureValid } from './verify-asymmetric.js';
import { clockFailure } from './verify-hs256.js';

export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;
/** Most keys tried for a token without `kid`. */
const MAX_CANDIDATES = 8;
const MAX_HEADER_VALUE_LENGTH = 4096;

export interface CompiledProvider {
  readonly config: JwtProviderConfig;
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly keys: KeySource;
}

export interface ProviderPolicyOptions {
  providers: readonly CompiledProvider[];
  /** Consumers by `${jwtProvider}\0${jwtSubject}`. */
  consumersByProviderSubject: ReadonlyMap<string, ConsumerConfig>;
  /** Milliseconds since the epoch. */
  now: () => number;
  cacheSize?: number;
  /** Called for each signature check (not for a cached token): tests and metrics. */
  onSignatureCheck?: () => void;
}

const MESSAGES: Record<string, string> = {
  missing_token: 'a Bearer token is required',
  malformed_token: 'the token is not a well-formed JWT',
  unsupported_algorithm: 'the token is not signed with an algorithm its provider accepts',
  unsupported_critical_header: 'the token names a header extension this gateway does not support',
  unknown_issuer: 'the token is not from an identity provider of this route',
  unknown_key: "the token's key is not in its provider's key set",
  bad_signature: 'the token signature is invalid',
  missing_exp: 'the token has no expiry',
  token_expired: 'the token has expired',
  token_not_yet_valid: 'the token is not valid yet',
  token_issued_in_future: 'the token is issued in the future',
  wrong_audience: 'the token is not for an accepted audience',
  bad_claim: 'a claim forwarded as a header holds characters a header cannot carry',
};

const refuse = (reason: string): GatewayError => unauthorized(reason, MESSAGES[reason] as string);
const keysUnavailable = () => new GatewayError(503, 'jwks_unavailable', "the identity provider's keys are not available");

interface Verified {
  readonly provider: CompiledProvider;
  readonly generation: number;
  readonly exp: number;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
  readonly consumer: ConsumerConfig | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
/** What a header value may hold (what node:http sends): tab, visible ASCII, Latin-1; nothing else. */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

function claimHeaderValue(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return text.length <= MAX_HEADER_VALUE_LENGTH && HEADER_SAFE.test(text) ? text : null;
}

function audienceMatches(aud: unknown, audiences: readonly string[]): boolean {
  if (typeof aud === 'string') return audiences.includes(aud);
  return Array.isArray(aud) && aud.every((item) => typeof item === 'string') && aud.some((item) => audiences.includes(item as string));
}

export function createProviderJwtPolicy(options: ProviderPolicyOptions): Policy {
  const byIssuer = new Map(options.providers.map((provider) => [provider.config.issuer, provider]));
  // Every claimsToHeaders header of every provider of the route is stripped from client requests, always.
  const stripped = [...new Set(options.providers.flatMap((provider) => (provider.config.claimsToHeaders ?? []).map((entry) => entry.header.toLowerCase())))];
  const strippedHeaders = stripped.length === 0 ? undefined : stripped;
  const cacheSize = options.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
  const verified = new Map<string, Verified>();

  function admit(ctx: RequestContext, entry: Verified): undefined {
    ctx.consumer = entry.consumer;
    if (entry.headers !== undefined) ctx.upstreamHeaders = { ...ctx.upstreamHeaders, ...entry.headers };
    return undefined;
  }

  /** Claims checks and what the token yields, once the signature holds. */
  function accept(ctx: RequestContext, digest: string, provider: CompiledProvider, token: ParsedToken, set: KeySet, nowSeconds: number): PolicyOutcome {
    const { claims } = token;
    if (!isTime(claims.exp)) return refuse('missing_exp');
    if ((claims.nbf !== undefined && !isTime(claims.nbf)) || (claims.iat !== undefined && !isTime(claims.iat))) return refuse('malformed_token');
    const times = { exp: claims.exp, nbf: claims.nbf as number | undefined, iat: claims.iat as number | undefined };
    const late = clockFailure(times, nowSeconds);
    if (late !== undefined) return refuse(late);
    const audiences = provider.config.audiences;
    if (audiences !== undefined && !audienceMatches(claims.aud, audiences)) return refuse('wrong_audience');
    const subject = claims[provider.config.consumerClaim ?? 'sub'];
    const consumer = typeof subject === 'string' ? options.consumersByProviderSubject.get(`${provider.config.name}\u0000${subject}`) : undefined;
    let headers: Record<string, string> | undefined;
    for (const entry of provider.config.claimsToHeaders ?? []) {
      const value = claimHeaderValue(claims[entry.claim]);
      if (value === null) return refuse('bad_claim');
      if (value !== undefined) (headers ??= {})[entry.header.toLowerCase()] = value;
    }
    const result: Verified = { provider, generation: set.generation, ...times, consumer, headers };
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(digest, result);
    return admit(ctx, result);
  }

  /** Checks the signature with `set`; undefined result means the kid is unknown to it. */
  function check(ctx: RequestContext, digest: string, provider: CompiledProvider, token: ParsedToken, alg: AsymmetricAlgorithm, kid: string | undefined, set: KeySet): PolicyOutcome | 'unknown_kid' {
    const candidates = candidateKeys(set.keys, alg, kid);
    if (candidates.length === 0) return kid === undefined || set.keys.some((key) => key.kid === kid) ? refuse('unknown_key') : 'unknown_kid';
    options.onSignatureCheck?.();
    const signed = candidates.slice(0, MAX_CANDIDATES).some((key) => signatureValid(token, alg, key));
    if (!signed) return refuse('bad_signature');
    return accept(ctx, digest, provider, token, set, Math.floor(options.now() / 1000));
  }

  return (ctx) => {
    ctx.strippedHeaders = strippedHeaders;
    const text = bearerToken(ctx.req.headers.authorization);
    if (text === undefined) return refuse('missing_token');
    const digest = createHash('sha256').update(text).digest('base64url');
    const nowMs = options.now();
    const known = verified.get(digest);
    if (known !== undefined) {
      const set = known.provider.keys.current(nowMs);
      if (set !== undefined && set.generation === known.generation) {
        const late = clockFailure(known, Math.floor(nowMs / 1000));
        if (late === undefined) return admit(ctx, known);
        verified.delete(digest);
        return refuse(late);
      }
      verified.delete(digest);
    }
    const token = parseToken(text);
    if (token === undefined) return refuse('malformed_token');
    const provider = typeof token.claims.iss === 'string' ? byIssuer.get(token.claims.iss) : undefined;
    if (provider === undefined) return refuse('unknown_issuer');
    const request = headerRequest(token.header, provider.algorithms);
    if (!request.ok) return refuse(request.reason);
    const { alg, kid } = request;
    const set = provider.keys.current(nowMs);
    if (set !== undefined) {
      const outcome = check(ctx, digest, provider, token, alg, kid, set);
      if (outcome !== 'unknown_kid') return outcome;
      return provider.keys.refetchForUnknownKid(nowMs).then((next) => {
        if (next === undefined) return keysUnavailable();
        const again = check(ctx, digest, provider, token, alg, kid, next);
        return again === 'unknown_kid' ? refuse('unknown_key') : again;
      });
    }
    return provider.keys.load(nowMs).then((loaded) => {
      if (loaded === undefined) return keysUnavailable();
      const outcome = check(ctx, digest, provider, token, alg, kid, loaded);
      return outcome === 'unknown_kid' ? refuse('unknown_key') : outcome;
    });
  };
}
