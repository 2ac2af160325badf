// Guards /tenants/:tenantId/...: a valid platform JWT whose tenant is the one in the URL (else 403, whatever
// the object ids), carrying the tenant's current token version (else 401: the password changed since). Without a
// bearer token, the console's session cookie (sessions.ts) does the same, and a state-changing request made with
// it must also come from the control plane's origin with the session's CSRF token (csrf.ts; else 403).
// It runs on request, before any body is read: an unauthenticated client cannot make the server parse one.
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { forbidden, unauthorized, uuidParam } from '../http/errors.js';
import { assertCookieWriteAllowed, isStateChanging } from './csrf.js';
import type { PlatformTokens } from './platform-token.js';
import { sessionIdOf, type SessionStore } from './sessions.js';
import type { TokenVersions } from './token-versions.js';

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match === null ? null : (match[1] as string);
}

/** What the cookie path needs: the session store, the origin state-changing requests must come from, the clock. */
export interface CookieAuth {
  sessions: SessionStore;
  expectedOrigin: string;
  now: () => Date;
}

/** The tenant and token version a request's credentials speak for (a bearer token first, else the session cookie). */
async function credentialsOf(request: FastifyRequest, tokens: PlatformTokens, cookies: CookieAuth | undefined): Promise<{ tenantId: string; tokenVersion: number; via: 'bearer token' | 'console session' }> {
  if (request.headers.authorization !== undefined || cookies === undefined) {
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw unauthorized();
    const claims = await tokens.verify(token);
    if (claims === null) throw unauthorized('the bearer token is invalid or expired');
    return { ...claims, via: 'bearer token' };
  }
  const sessionId = sessionIdOf(request.headers.cookie);
  if (sessionId === null) throw unauthorized('a valid bearer token or console session is required');
  const session = await cookies.sessions.find(sessionId, cookies.now());
  if (session === null) throw unauthorized('the console session is invalid, expired or logged out; log in again');
  if (isStateChanging(request.method)) assertCookieWriteAllowed(request, sessionId, cookies.expectedOrigin);
  return { ...session, via: 'console session' };
}

export function requireTenantAccess(tokens: PlatformTokens, tokenVersions: TokenVersions, cookies?: CookieAuth): onRequestAsyncHookHandler {
  return async (request) => {
    const claims = await credentialsOf(request, tokens, cookies);
    const tenantId = uuidParam((request.params as { tenantId?: string }).tenantId, 'tenantId');
    if (claims.tenantId !== tenantId) throw forbidden();
    const currentVersion = await tokenVersions.current(tenantId);
    if (currentVersion !== claims.tokenVersion) throw unauthorized(`the ${claims.via} was revoked by a password change; log in again`);
    request.tenantId = tenantId;
  };
}
