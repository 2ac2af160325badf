// Guards /tenants/:tenantId/...: a valid platform JWT whose tenant is the one in the URL (else 403, whatever
// the object ids), carrying the tenant's current token version (else 401: the password changed since).
// It runs on request, before any body is read: an unauthenticated client cannot make the server parse one.
import type { onRequestAsyncHookHandler } from 'fastify';
import { forbidden, unauthorized, uuidParam } from '../http/errors.js';
import type { PlatformTokens } from './platform-token.js';
import type { TokenVersions } from './token-versions.js';

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match === null ? null : (match[1] as string);
}

export function requireTenantAccess(tokens: PlatformTokens, tokenVersions: TokenVersions): onRequestAsyncHookHandler {
  return async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw unauthorized();
    const claims = await tokens.verify(token);
    if (claims === null) throw unauthorized('the bearer token is invalid or expired');
    const tenantId = uuidParam((request.params as { tenantId?: string }).tenantId, 'tenantId');
    if (claims.tenantId !== tenantId) throw forbidden();
    const currentVersion = await tokenVersions.current(tenantId);
    if (currentVersion !== claims.tokenVersion) throw unauthorized('the bearer token was revoked by a password change; log in again');
    request.tenantId = tenantId;
  };
}
