// The console's session: the cookie (httpOnly, out of JavaScript's reach) is the credential; what the page keeps is
// the tenant id and the CSRF token, in memory only (never localStorage, sessionStorage or the URL). A reload gets
// the token back from GET /auth/session.
import { ApiFailure, callApi } from './api.js';

export interface Session {
  tenantId: string;
  tenantName: string | null;
  csrfToken: string;
  expiresAt: string;
}

export async function currentSession(): Promise<Session | null> {
  try {
    const body = await callApi<{ tenantId: string; tenant?: { name: string }; csrfToken: string; expiresAt: string }>('GET', '/auth/session');
    return { tenantId: body.tenantId, tenantName: body.tenant?.name ?? null, csrfToken: body.csrfToken, expiresAt: body.expiresAt };
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return null;
    throw error;
  }
}

export async function logIn(email: string, password: string): Promise<Session> {
  const body = await callApi<{ tenant: { id: string; name: string }; csrfToken: string; expiresAt: string }>('POST', '/auth/session', {
    body: { email, password },
  });
  return { tenantId: body.tenant.id, tenantName: body.tenant.name, csrfToken: body.csrfToken, expiresAt: body.expiresAt };
}

export async function logOut(session: Session): Promise<void> {
  await callApi('DELETE', '/auth/session', { csrfToken: session.csrfToken });
}
