// Platform JWTs (DESIGN §3): HS256 with PLATFORM_JWT_SECRET, 7 days, `sub` = tenant id, `tv` = the tenant's
// token version, so a password change or reset invalidates every token issued before it.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { isUuid } from '../tenancy/schema-name.js';

export const PLATFORM_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const ISSUER = 'novagate-control-plane';

export interface PlatformTokenClaims {
  tenantId: string;
  tokenVersion: number;
}

export interface PlatformTokens {
  issue(claims: PlatformTokenClaims): Promise<string>;
  /** The claims of a valid token, or null for a token that is malformed, forged, expired or of another kind. */
  verify(token: string): Promise<PlatformTokenClaims | null>;
}

export function createPlatformTokens(secret: string, now: () => Date = () => new Date()): PlatformTokens {
  // Imported once: handing jose raw bytes would import the HMAC key again on every call.
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  return {
    async issue({ tenantId, tokenVersion }) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ tv: tokenVersion })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(tenantId)
        .setIssuer(ISSUER)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + PLATFORM_TOKEN_TTL_SECONDS)
        .sign(await key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          currentDate: now(),
          requiredClaims: ['sub', 'exp', 'tv'],
        });
        if (!isUuid(payload.sub) || typeof payload.tv !== 'number' || !Number.isInteger(payload.tv)) return null;
        return { tenantId: payload.sub, tokenVersion: payload.tv };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return null;
        throw error;
      }
    },
  };
}
