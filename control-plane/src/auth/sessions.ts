// Cookie sessions of the web console (issue 19): a random id in an httpOnly, Secure, SameSite=Strict cookie, its
// SHA-256 in public.console_sessions (public migration 008) with the tenant and token version it was made for, and
// a CSRF token derived from the id (HMAC keyed by it), so the token needs no storage and only the cookie's holder
// can know it. Expiry is absolute; logout deletes the row.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/pool.js';

/** `__Host-`: the browser keeps it only when Secure, Path=/ and without Domain, so no sibling host can set it. */
export const SESSION_COOKIE = '__Host-novagate_session';
export const CSRF_HEADER = 'x-csrf-token';
export const DEFAULT_SESSION_TTL_SECONDS = 8 * 60 * 60;
/** A tenant holds at most this many live sessions; a login past it ends the oldest. */
export const MAX_SESSIONS_PER_TENANT = 50;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface Session {
  tenantId: string;
  tokenVersion: number;
  expiresAt: Date;
}

export interface NewSession extends Session {
  /** The cookie's value: shown once, stored only hashed. */
  id: string;
  csrfToken: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The CSRF token of the session `id`: a MAC keyed by the id, so it proves knowledge of the cookie's value. */
export function csrfTokenOf(id: string): string {
  return createHmac('sha256', id).update('novagate console csrf v1').digest('base64url');
}

/** Whether `token` is the CSRF token of session `id` (in constant time). */
export function csrfTokenMatches(id: string, token: string): boolean {
  const expected = Buffer.from(csrfTokenOf(id));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The session cookie's value in a Cookie header, or null; the first one wins (a browser sends the most specific first). */
export function sessionIdOf(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined) return null;
  let found: string | null = null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    found ??= part.slice(eq + 1).trim();
  }
  return found;
}

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

export interface SessionStore {
  create(tenantId: string, tokenVersion: number, now: Date): Promise<NewSession>;
  /** The live session of that cookie value, or null (malformed, unknown, logged out or expired). */
  find(id: string, now: Date): Promise<Session | null>;
  /** Ends the session (logout); unknown ids are ignored. */
  revoke(id: string): Promise<void>;
}

export function createSessionStore(db: Queryable, ttlSeconds = DEFAULT_SESSION_TTL_SECONDS): SessionStore {
  return {
    async create(tenantId, tokenVersion, now) {
      const id = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      // The tenant's expired sessions go, and past the cap its oldest: a flood of logins cannot grow the table.
      await db.query(
        `WITH inserted AS (
           INSERT INTO public.console_sessions (id_sha256, tenant_id, token_version, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         )
         DELETE FROM public.console_sessions WHERE tenant_id = $2 AND (expires_at <= $4 OR id_sha256 IN (
           SELECT id_sha256 FROM public.console_sessions WHERE tenant_id = $2 AND expires_at > $4 ORDER BY created_at DESC OFFSET $6))`,
        [sha256(id), tenantId, tokenVersion, now, expiresAt, MAX_SESSIONS_PER_TENANT - 1],
      );
      return { id, tenantId, tokenVersion, expiresAt, csrfToken: csrfTokenOf(id) };
    },
    async find(id, now) {
      if (!SESSION_ID.test(id)) return null;
      const { rows } = await db.query<{ tenant_id: string; token_version: number; expires_at: Date }>(
        'SELECT tenant_id, token_version, expires_at FROM public.console_sessions WHERE id_sha256 = $1 AND expires_at > $2',
        [sha256(id), now],
      );
      const row = rows[0];
      return row === undefined ? null : { tenantId: row.tenant_id, tokenVersion: row.token_version, expiresAt: row.expires_at };
    },
    async revoke(id) {
      if (!SESSION_ID.test(id)) return;
      await db.query('DELETE FROM public.console_sessions WHERE id_sha256 = $1', [sha256(id)]);
    },
  };
}
