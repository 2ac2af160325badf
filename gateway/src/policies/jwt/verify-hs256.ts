// HS256 JWT verification (DESIGN §5, §10): the algorithm comes from configuration, never from the token, so
// `alg: none` and algorithm confusion are refused before any signature work; `exp` is required. Every
// segment must be canonical base64url, a `crit` header is refused (no extension is understood), `iat` may
// not lie in the future beyond the leeway, and `iss`/`aud` are checked when the gateway sets JWT_ISSUER/JWT_AUDIENCE.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isCanonicalBase64url } from './base64url.js';
import { decodeJsonPart } from './token.js';

export const JWT_LEEWAY_SECONDS = 30;

export type JwtFailureReason =
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'unsupported_critical_header'
  | 'bad_signature'
  | 'missing_exp'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience';

export type JwtVerification = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: JwtFailureReason };

/** What the gateway's settings add to the signature check. */
export interface Hs256Rules {
  /** JWT_ACCEPTED_SECRET: a second secret that also verifies, for rotating JWT_SECRET. */
  acceptedSecret?: Buffer;
  /** JWT_ISSUER: `iss` must equal it. */
  issuer?: string;
  /** JWT_AUDIENCE: `aud` (a string or an array of strings) must contain it. */
  audience?: string;
}

function signatureMatches(signingInput: string, signature: Buffer, secret: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(signingInput).digest('base64url');
  const wanted = Buffer.from(expected);
  return signature.length === wanted.length && timingSafeEqual(signature, wanted);
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The clock checks, run at verification and again on every use of a remembered token. */
export function clockFailure(claims: { exp: number; nbf?: number; iat?: number }, nowSeconds: number): JwtFailureReason | undefined {
  if (nowSeconds > claims.exp + JWT_LEEWAY_SECONDS) return 'token_expired';
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + JWT_LEEWAY_SECONDS) return 'token_not_yet_valid';
  if (claims.iat !== undefined && claims.iat > nowSeconds + JWT_LEEWAY_SECONDS) return 'token_issued_in_future';
  return undefined;
}

function audienceMatches(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return Array.isArray(aud) && aud.every((item) => typeof item === 'string') && aud.includes(audience);
}

/** Verifies a compact JWS signed with HS256 under `secret` (or `rules.acceptedSecret`), at `nowSeconds`. */
export function verifyHs256(token: string, secret: Buffer, nowSeconds: number, rules: Hs256Rules = {}): JwtVerification {
  if (token.length > 8192) return { ok: false, reason: 'malformed_token' };
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1) {
    return { ok: false, reason: 'malformed_token' };
  }
  const header = decodeJsonPart(token.slice(0, firstDot));
  if (header === null) return { ok: false, reason: 'malformed_token' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported_algorithm' };
  // RFC 7515 §4.1.11: a recipient that does not understand a listed extension must refuse the token; none is.
  if (header.crit !== undefined) return { ok: false, reason: 'unsupported_critical_header' };
  const signature = token.slice(secondDot + 1);
  if (!isCanonicalBase64url(signature)) return { ok: false, reason: 'bad_signature' };
  const signingInput = token.slice(0, secondDot);
  const given = Buffer.from(signature);
  const signed =
    signatureMatches(signingInput, given, secret) || (rules.acceptedSecret !== undefined && signatureMatches(signingInput, given, rules.acceptedSecret));
  if (!signed) return { ok: false, reason: 'bad_signature' };
  const claims = decodeJsonPart(token.slice(firstDot + 1, secondDot));
  if (claims === null) return { ok: false, reason: 'malformed_token' };
  if (!isTime(claims.exp)) return { ok: false, reason: 'missing_exp' };
  if ((claims.nbf !== undefined && !isTime(claims.nbf)) || (claims.iat !== undefined && !isTime(claims.iat))) {
    return { ok: false, reason: 'malformed_token' };
  }
  const late = clockFailure({ exp: claims.exp, nbf: claims.nbf as number | undefined, iat: claims.iat as number | undefined }, nowSeconds);
  if (late !== undefined) return { ok: false, reason: late };
  if (rules.issuer !== undefined && claims.iss !== rules.issuer) return { ok: false, reason: 'wrong_issuer' };
  if (rules.audience !== undefined && !audienceMatches(claims.aud, rules.audience)) return { ok: false, reason: 'wrong_audience' };
  return { ok: true, claims };
}
