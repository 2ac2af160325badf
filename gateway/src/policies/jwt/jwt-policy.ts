// The `jwt` auth policy: a Bearer token verified with the gateway's JWT_SECRET; `sub` names a consumer when
// one has that jwtSubject. The 401 body gives a reason code, never the token.
import { unauthorized } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { JWT_LEEWAY_SECONDS, verifyHs256 } from './verify-hs256.js';

export interface JwtPolicyOptions {
  secret: Buffer;
  consumersBySubject: ReadonlyMap<string, ConsumerConfig>;
  /** Seconds since the epoch; injected so tests control token expiry. */
  now: () => number;
}

const MESSAGES: Record<string, string> = {
  missing_token: 'a Bearer token is required',
  malformed_token: 'the token is not a well-formed JWT',
  unsupported_algorithm: 'the token is not signed with the accepted algorithm',
  bad_signature: 'the token signature is invalid',
  missing_exp: 'the token has no expiry',
  token_expired: 'the token has expired',
  token_not_yet_valid: 'the token is not valid yet',
};

/** The credential of `Authorization: Bearer <x>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

/** Most verified tokens remembered per policy: a signature check is skipped for a token seen before. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createJwtPolicy(options: JwtPolicyOptions): Policy {
  // Signature and claims of a token never change, so a token that verified once is remembered (the clock
  // checks run again on every use). Only good tokens are kept, and the map is bounded.
  const verified = new Map<string, { exp: number; nbf: number | undefined; sub: unknown }>();
  return (ctx) => {
    const token = bearerToken(ctx.req.headers.authorization);
    if (token === undefined) return unauthorized('missing_token', MESSAGES.missing_token as string);
    const now = options.now();
    let known = verified.get(token);
    if (known !== undefined && (now > known.exp + JWT_LEEWAY_SECONDS || (known.nbf !== undefined && known.nbf > now + JWT_LEEWAY_SECONDS))) {
      verified.delete(token);
      known = undefined;
    }
    if (known === undefined) {
      const result = verifyHs256(token, options.secret, now);
      if (!result.ok) return unauthorized(result.reason, MESSAGES[result.reason] as string);
      known = { exp: result.claims.exp as number, nbf: result.claims.nbf as number | undefined, sub: result.claims.sub };
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
      verified.set(token, known);
    }
    const sub = known.sub;
    if (typeof sub === 'string') ctx.consumer = options.consumersBySubject.get(sub);
    return undefined;
  };
}
