// Guards /tenants/:tenantId/...: a valid platform JWT whose tenant is the one in the URL (else 403, whatever
// the object ids), carrying the tenant's current token version (else 401: the password changed since).
import type { RequestHandler } from 'express';
import { forbidden, unauthorized, uuidParam } from '../http/errors.js';
import type { PlatformTokens } from './platform-token.js';
import type { TokenVersions } from './token-versions.js';

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match === null ? null : (match[1] as string);
}

export function requireTenantAccess(tokens: PlatformTokens, tokenVersions: TokenVersions): RequestHandler<{ tenantId: string }> {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === null) throw unauthorized();
    const claims = await tokens.verify(token);
    if (claims === null) throw unauthorized('the bearer token is invalid or expired');
    const tenantId = uuidParam(req.params.tenantId, 'tenantId');
    if (claims.tenantId !== tenantId) throw forbidden();
    const currentVersion = await tokenVersions.current(tenantId);
    if (currentVersion !== claims.tokenVersion) throw unauthorized('the bearer token was revoked by a password change; log in again');
    res.locals.tenantId = tenantId;
    next();
  };
}
