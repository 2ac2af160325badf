// HS256 JWT verification (DESIGN §5): the algorithm comes from configuration, never from the token, so
// `alg: none` and algorithm confusion are refused before any signature work; `exp` is required.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const JWT_LEEWAY_SECONDS = 30;

export type JwtFailureReason =
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'bad_signature'
  | 'missing_exp'
  | 'token_expired'
  | 'token_not_yet_valid';

export type JwtVerification = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: JwtFailureReason };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJsonPart(part: string): Record<string, unknown> | null {
  if (!BASE64URL.test(part)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Verifies a compact JWS signed with HS256 under `secret`, at `nowSeconds`. */
export function verifyHs256(token: string, secret: Buffer, nowSeconds: number): JwtVerification {
  if (token.length > 8192) return { ok: false, reason: 'malformed_token' };
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1) {
    return { ok: false, reason: 'malformed_token' };
  }
  const header = decodeJsonPart(token.slice(0, firstDot));
  if (header === null) return { ok: false, reason: 'malformed_token' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported_algorithm' };
  const signature = token.slice(secondDot + 1);
  const expected = createHmac('sha256', secret).update(token.slice(0, secondDot)).digest('base64url');
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'bad_signature' };
  const claims = decodeJsonPart(token.slice(firstDot + 1, secondDot));
  if (claims === null) return { ok: false, reason: 'malformed_token' };
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { ok: false, reason: 'missing_exp' };
  if (nowSeconds > claims.exp + JWT_LEEWAY_SECONDS) return { ok: false, reason: 'token_expired' };
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number' || !Number.isFinite(claims.nbf)) return { ok: false, reason: 'malformed_token' };
    if (claims.nbf > nowSeconds + JWT_LEEWAY_SECONDS) return { ok: false, reason: 'token_not_yet_valid' };
  }
  return { ok: true, claims };
}
