// The `jwt` auth policy: a Bearer token verified with the gateway's JWT_SECRET; `sub` names a consumer when
// one has that jwtSubject. The 401 body gives a reason code, never the token.
import { unauthorized } from '../../errors.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { Policy } from '../../pipeline/policy.js';
import { verifyHs256 } from './verify-hs256.js';

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

export function createJwtPolicy(options: JwtPolicyOptions): Policy {
  return (ctx) => {
    const token = bearerToken(ctx.req.headers.authorization);
    if (token === undefined) return unauthorized('missing_token', MESSAGES.missing_token as string);
    const result = verifyHs256(token, options.secret, options.now());
    if (!result.ok) return unauthorized(result.reason, MESSAGES[result.reason] as string);
    const sub = result.claims.sub;
    if (typeof sub === 'string') ctx.consumer = options.consumersBySubject.get(sub);
    return undefined;
  };
}
