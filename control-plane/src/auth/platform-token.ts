// Platform JWTs (DESIGN §3): HS256 with PLATFORM_JWT_SECRET, 7 days, `sub` = tenant id, `tv` = the tenant's
// token version, so a password change or reset invalidates every token issued before it. Signed and checked
// with node:crypto's HMAC directly (synchronous, no per-call key import); only HS256 is ever accepted.
// Tokens that verified are remembered (by their exact text, bounded): a client's next request with the same
// token skips the HMAC and the parsing, but its expiry is still checked on every use.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url } from '@novagate/gateway/jwt/base64url';
import { isUuid } from '../tenancy/schema-name.js';

export const PLATFORM_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const ISSUER = 'novagate-control-plane';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export interface PlatformTokenClaims {
  tenantId: string;
  tokenVersion: number;
}

export interface PlatformTokens {
  issue(claims: PlatformTokenClaims): Promise<string>;
  /** The claims of a valid token, or null for a token that is malformed, forged, expired or of another kind. */
  verify(token: string): Promise<PlatformTokenClaims | null>;
}

interface Payload {
  sub?: unknown;
  tv?: unknown;
  iss?: unknown;
  iat?: unknown;
  exp?: unknown;
}

function parseJsonPart(part: string): unknown {
  const bytes = decodeBase64url(part);
  if (bytes === undefined) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

const MAX_REMEMBERED = 10_000;

/**
 * Tokens are issued with `secret` and accepted when signed with it or with `acceptedSecret` (the other half
 * of a rotation: see docs/runbooks/secret-rotation.md).
 */
export function createPlatformTokens(secret: string, now: () => Date = () => new Date(), acceptedSecret?: string): PlatformTokens {
  const signWith = (key: string, signingInput: string) => createHmac('sha256', key).update(signingInput).digest();
  const sign = (signingInput: string) => signWith(secret, signingInput);
  const signedBy = (signingInput: string, presented: Buffer) => {
    for (const key of acceptedSecret === undefined ? [secret] : [secret, acceptedSecret]) {
      const expected = signWith(key, signingInput);
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return true;
    }
    return false;
  };
  const verified = new Map<string, { claims: PlatformTokenClaims; iat: number | null; exp: number }>();
  const inTime = (iat: number | null, exp: number, nowSeconds: number) => exp > nowSeconds && (iat === null || iat <= nowSeconds + 30);
  return {
    async issue({ tenantId, tokenVersion }) {
      const iat = Math.floor(now().getTime() / 1000);
      const payload = { tv: tokenVersion, sub: tenantId, iss: ISSUER, iat, exp: iat + PLATFORM_TOKEN_TTL_SECONDS };
      const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${signingInput}.${sign(signingInput).toString('base64url')}`;
    },
    async verify(token) {
      const remembered = verified.get(token);
      if (remembered !== undefined) return inTime(remembered.iat, remembered.exp, now().getTime() / 1000) ? remembered.claims : null;
      const parts = token.split('.');
      if (parts.length !== 3) return null;
      const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
      const header = parseJsonPart(headerPart) as { alg?: unknown; typ?: unknown; crit?: unknown } | null;
      // The algorithm is fixed by configuration; a token naming another (none, RS256…) is refused outright.
      if (header === null || header.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || header.crit !== undefined) return null;
      // Only the canonical spelling of the signature: Node's decoder would also read `sig=`, `sig!` or other trailing bits as it.
      const signature = decodeBase64url(signaturePart);
      if (signature === undefined || !signedBy(`${headerPart}.${payloadPart}`, signature)) return null;
      const payload = parseJsonPart(payloadPart) as Payload | null;
      if (payload === null || typeof payload !== 'object') return null;
      if (payload.iss !== ISSUER || typeof payload.exp !== 'number') return null;
      if (!isUuid(payload.sub) || typeof payload.tv !== 'number' || !Number.isInteger(payload.tv)) return null;
      const iat = typeof payload.iat === 'number' ? payload.iat : null;
      if (!inTime(iat, payload.exp, now().getTime() / 1000)) return null;
      const claims = { tenantId: payload.sub, tokenVersion: payload.tv };
      if (verified.size >= MAX_REMEMBERED) verified.clear();
      verified.set(token, { claims, iat, exp: payload.exp });
      return claims;
    },
  };
}
