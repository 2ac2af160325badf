// /api/v1/auth/session: the web console's login (a cookie session and its CSRF token), the session's state after a
// page load, and logout (issue 19; sessions.ts). Registered inside the /auth plugin, so its per-IP throttle applies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from '../http/errors.js';
import { publicTenant, type TenantCredentials } from '../tenancy/tenants.js';
import { assertCookieWriteAllowed, cookieWriteRefusal, originOf } from './csrf.js';
import { CLEARED_SESSION_COOKIE, csrfTokenOf, sessionCookie, sessionIdOf, type SessionStore } from './sessions.js';

export interface SessionRouteDeps {
  sessions: SessionStore;
  expectedOrigin: string;
  now: () => Date;
  sessionTtlSeconds: number;
  /** Checks the login body's credentials (throttled like POST /auth/login). */
  authenticate: (request: FastifyRequest) => Promise<TenantCredentials>;
  /** The session's tenant as GET /auth/session shows it (null once deleted). */
  findTenant: (id: string) => Promise<TenantCredentials | null>;
}

/** What starting a session needs (POST /auth/session, and POST /auth/register/confirm with `session: true`). */
export type SessionStartDeps = Pick<SessionRouteDeps, 'sessions' | 'expectedOrigin' | 'now' | 'sessionTtlSeconds'>;

/**
 * Refuses (403 naming headers.origin) a request that would start a session from another site's page. A browser sends
 * Origin with every POST: one from another site is login CSRF, which would sign the victim into the attacker's
 * account. Clients without Origin (curl, scripts) are not browsers.
 */
export function refuseForeignOrigin(request: FastifyRequest, expectedOrigin: string): void {
  const origin = originOf(request);
  if (origin !== undefined && origin !== expectedOrigin) throw cookieWriteRefusal([{ path: 'headers.origin', message: `is not ${expectedOrigin}` }]);
}

/** Starts a console session for the tenant: the session row, its cookie on `reply` (no-store), and the body fields the page keeps. */
export async function startSession(
  deps: SessionStartDeps,
  reply: FastifyReply,
  tenant: { id: string; tokenVersion: number },
): Promise<{ csrfToken: string; expiresAt: string }> {
  const session = await deps.sessions.create(tenant.id, tenant.tokenVersion, deps.now());
  reply.header('set-cookie', sessionCookie(session.id, deps.sessionTtlSeconds)).header('cache-control', 'no-store');
  return { csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
}

export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  // Login.
  app.post('/session', async (request, reply) => {
    refuseForeignOrigin(request, deps.expectedOrigin);
    const tenant = await deps.authenticate(request);
    const started = await startSession(deps, reply, tenant);
    return reply.code(201).send({ tenant: publicTenant(tenant), ...started });
  });

  // After a page load the console has the cookie but not the CSRF token, which lives only in its memory: it asks
  // here. Another site cannot read this answer (same-origin policy, no credentialed CORS) nor send the cookie
  // (SameSite=Strict).
  app.get('/session', async (request, reply) => {
    const id = sessionIdOf(request.headers.cookie);
    const session = id === null ? null : await deps.sessions.find(id, deps.now());
    if (id === null || session === null) throw unauthorized('no console session: log in');
    const tenant = await deps.findTenant(session.tenantId);
    if (tenant === null) throw unauthorized('no console session: log in');
    return reply.header('cache-control', 'no-store').send({
      tenantId: session.tenantId,
      tenant: publicTenant(tenant),
      csrfToken: csrfTokenOf(id),
      expiresAt: session.expiresAt.toISOString(),
    });
  });

  // Logout: a state-changing request made with the cookie, so it takes the CSRF token and the Origin check too (no
  // other site can end a session). The cookie is cleared whatever the session's state.
  async function logout(request: FastifyRequest, reply: FastifyReply) {
    const id = sessionIdOf(request.headers.cookie);
    const session = id === null ? null : await deps.sessions.find(id, deps.now());
    if (id !== null && session !== null) {
      assertCookieWriteAllowed(request, id, deps.expectedOrigin);
      await deps.sessions.revoke(id);
    }
    return reply.code(204).header('set-cookie', CLEARED_SESSION_COOKIE).send();
  }
  app.delete('/session', logout);
}
