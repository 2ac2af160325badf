// The `jwt` auth policy: a Bearer token verified with the gateway's JWT_SECRET (or JWT_ACCEPTED_SECRET, and
// JWT_ISSUER/JWT_AUDIENCE when set); `sub` names a consumer when one has that jwtSubject. The 401 body gives
// a reason code, never the token.
import { unauthorized } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { bearerToken } from '../credentials.js';
import { clockFailure, verifyHs256, type Hs256Rules } from './verify-hs256.js';

export interface JwtPolicyOptions {
  secret: Buffer;
  /** The accepted second secret and the iss/aud the gateway requires, if any. */
  rules?: Hs256Rules;
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
  token_issued_in_future: 'the token is issued in the future',
  unsupported_critical_header: 'the token names a critical header extension this gateway does not support',
  wrong_issuer: 'the token is not from the accepted issuer',
  wrong_audience: 'the token is not for the accepted audience',
};

/** Most verified tokens remembered per policy: a signature check is skipped for a token seen before. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createJwtPolicy(options: JwtPolicyOptions): Policy {
  // Signature and claims of a token never change, so a token that verified once is remembered (the clock
  // checks run again on every use). Only good tokens are kept, and the map is bounded.
  const verified = new Map<string, { exp: number; nbf: number | undefined; iat: number | undefined; sub: unknown }>();
  return (ctx) => {
    const token = bearerToken(ctx.req.headers.authorization);
    if (token === undefined) return unauthorized('missing_token', MESSAGES.missing_token as string);
    const now = options.now();
    let known = verified.get(token);
    if (known !== undefined && clockFailure(known, now) !== undefined) {
      verified.delete(token);
      known = undefined;
    }
    if (known === undefined) {
      const result = verifyHs256(token, options.secret, now, options.rules);
      if (!result.ok) return unauthorized(result.reason, MESSAGES[result.reason] as string);
      const { exp, nbf, iat, sub } = result.claims;
      known = { exp: exp as number, nbf: nbf as number | undefined, iat: iat as number | undefined, sub };
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
      verified.set(token, known);
    }
    const sub = known.sub;
    if (typeof sub === 'string') ctx.consumer = options.consumersBySubject.get(sub);
    return undefined;
  };
}
