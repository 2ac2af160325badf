import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, waitForMail, type RegisteredTenant } from '../testing/server.js';
import { DEFAULT_SESSION_TTL_SECONDS, SESSION_COOKIE } from './sessions.js';

let clock = new Date('2026-03-01T00:00:00Z');
// The second replica runs with CONSOLE_SESSION_TTL_SECONDS=900.
const { db, server, servers } = withTestServer({ now: () => clock, replicas: [{}, { sessionTtlSeconds: 900 }] });
const shortSessions = servers[1];

// The test server's PUBLIC_URL is http://localhost.
const OWN_ORIGIN = 'http://localhost';

interface Login {
  tenant: RegisteredTenant;
  cookie: string;
  csrfToken: string;
  setCookie: string;
  base: string;
}

async function login(tenant?: RegisteredTenant): Promise<Login> {
  const owner = tenant ?? (await registerTenant(server));
  const response = await server.request('POST', '/api/v1/auth/session', { body: { email: owner.email, password: owner.password }, headers: { origin: OWN_ORIGIN } });
  assert.equal(response.status, 201, response.text);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const value = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  assert.ok(value !== undefined, setCookie);
  return { tenant: owner, cookie: `${SESSION_COOKIE}=${value}`, csrfToken: response.body.csrfToken, setCookie, base: `/api/v1/tenants/${owner.id}` };
}

/** A write made the way the console makes it: the cookie, the CSRF token header and the browser's Origin. */
const consoleHeaders = (session: Login, extra: Record<string, string> = {}) => ({ cookie: session.cookie, 'x-csrf-token': session.csrfToken, origin: OWN_ORIGIN, ...extra });

async function serviceNames(session: Login): Promise<string[]> {
  const list = await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } });
  assert.equal(list.status, 200, list.text);
  return list.body.data.map((s: { name: string }) => s.name);
}

test('login sets an httpOnly, Secure, SameSite=Strict host-only cookie and answers a CSRF token; the cookie alone reads the API', async () => {
  const session = await login();
  assert.match(session.setCookie, /; HttpOnly/);
  assert.match(session.setCookie, /; Secure/);
  assert.match(session.setCookie, /; SameSite=Strict/);
  assert.match(session.setCookie, /; Path=\//);
  assert.doesNotMatch(session.setCookie, /Domain=/i);
  assert.match(session.setCookie, new RegExp(`Max-Age=${DEFAULT_SESSION_TTL_SECONDS}`));
  assert.match(session.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  const { rows } = await db.pool.query('SELECT id_sha256 FROM public.console_sessions WHERE tenant_id = $1', [session.tenant.id]);
  const id = session.cookie.split('=')[1] as string;
  assert.deepEqual(rows.map((r) => r.id_sha256), [createHash('sha256').update(id).digest('hex')], 'only the hash of the session id is stored');
  assert.deepEqual(await serviceNames(session), []);
  const state = await server.request('GET', '/api/v1/auth/session', { headers: { cookie: session.cookie } });
  assert.deepEqual([state.status, state.body.tenantId, state.body.csrfToken], [200, session.tenant.id, session.csrfToken], 'a reloaded page gets its CSRF token back');
  assert.deepEqual(Object.keys(state.body.tenant).sort(), ['id', 'name', 'plan', 'slug'], 'and its tenant, as the login answered it (no email, no hash)');
  assert.equal(state.body.tenant.id, session.tenant.id);
});

test('a cookie write with the CSRF token from the control plane\'s own origin goes through', async () => {
  const session = await login();
  const created = await server.request('POST', `${session.base}/services`, { body: { name: 'users', url: 'http://users:8080' }, headers: consoleHeaders(session) });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(await serviceNames(session), ['users']);
});

test('a cookie write without the CSRF token is 403 naming the header, and changes nothing', async () => {
  const session = await login();
  const headers: Record<string, string> = consoleHeaders(session);
  delete headers['x-csrf-token'];
  for (const [method, path, body] of [
    ['POST', '/services', { name: 'users', url: 'http://users:8080' }],
    ['PUT', '/config', { config: { services: [], routes: [], consumers: [] } }],
    ['POST', '/config/versions/1/rollback', { version: 1 }],
    ['DELETE', '/api-keys/00000000-0000-4000-8000-000000000000', undefined],
  ] as const) {
    const response = await server.request(method, `${session.base}${path}`, { body, headers });
    assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
    assert.deepEqual(response.body.error.details.map((d: { path: string }) => d.path), ['headers.x-csrf-token']);
    assert.match(response.body.error.message, /x-csrf-token is missing/);
  }
  assert.deepEqual(await serviceNames(session), []);
  const version = await server.request('GET', `${session.base}/config`, { headers: { cookie: session.cookie } });
  assert.equal(version.body.version, 1);
});

test('a cookie write from another origin is 403 naming Origin, even carrying the right CSRF token', async () => {
  const session = await login();
  for (const origin of ['https://evil.example', 'null', 'http://localhost:8080', 'https://localhost', 'http://localhost.evil.example']) {
    const response = await server.request('POST', `${session.base}/services`, { body: { name: 'users', url: 'http://users:8080' }, headers: consoleHeaders(session, { origin }) });
    assert.equal(response.status, 403, `${origin}: ${response.text}`);
    assert.deepEqual(response.body.error.details.map((d: { path: string }) => d.path), ['headers.origin']);
  }
  const headers: Record<string, string> = consoleHeaders(session);
  delete headers.origin;
  const noOrigin = await server.request('POST', `${session.base}/services`, { body: { name: 'users', url: 'http://users:8080' }, headers });
  assert.equal(noOrigin.status, 403);
  assert.match(noOrigin.body.error.message, /origin is missing/);
  assert.deepEqual(await serviceNames(session), []);
});

test('a cross-site request carrying a CSRF token anywhere but its header, or another session\'s token, is 403 naming both problems', async () => {
  const victim = await login();
  const attacker = await login();
  // The token in the body of a cross-site POST, as a form or fetch from another site would put it.
  const inBody = await server.request('POST', `${victim.base}/services`, {
    body: { name: 'evil', url: 'http://evil:1', csrfToken: victim.csrfToken },
    headers: { cookie: victim.cookie, origin: 'https://evil.example' },
  });
  assert.equal(inBody.status, 403, inBody.text);
  assert.deepEqual(inBody.body.error.details.map((d: { path: string }) => d.path), ['headers.x-csrf-token', 'headers.origin']);
  const inQuery = await server.request('POST', `${victim.base}/services?csrfToken=${victim.csrfToken}`, {
    body: { name: 'evil', url: 'http://evil:1' },
    headers: { cookie: victim.cookie, origin: OWN_ORIGIN },
  });
  assert.equal(inQuery.status, 403);
  // An attacker's own valid token does not fit the victim's cookie.
  const swapped = await server.request('POST', `${victim.base}/services`, { body: { name: 'evil', url: 'http://evil:1' }, headers: consoleHeaders(victim, { 'x-csrf-token': attacker.csrfToken }) });
  assert.equal(swapped.status, 403);
  assert.match(swapped.body.error.message, /not this session's CSRF token/);
  assert.deepEqual(await serviceNames(victim), []);
});

test("a session reaches only its own tenant: another tenant's URL is 403", async () => {
  const mine = await login();
  const theirs = await login();
  const read = await server.request('GET', `${theirs.base}/services`, { headers: { cookie: mine.cookie } });
  assert.equal(read.status, 403);
  const write = await server.request('POST', `${theirs.base}/services`, { body: { name: 'x', url: 'http://x:1' }, headers: consoleHeaders(mine) });
  assert.equal(write.status, 403);
  assert.deepEqual(await serviceNames(theirs), []);
});

test('CONSOLE_SESSION_TTL_SECONDS sets the cookie\'s Max-Age and when the stored session ends', async () => {
  const owner = await registerTenant(shortSessions);
  const started = clock;
  try {
    const response = await shortSessions.request('POST', '/api/v1/auth/session', { body: { email: owner.email, password: owner.password }, headers: { origin: OWN_ORIGIN } });
    assert.equal(response.status, 201, response.text);
    assert.match(response.headers.get('set-cookie') ?? '', /; Max-Age=900(;|$)/);
    assert.equal(response.body.expiresAt, new Date(started.getTime() + 900_000).toISOString());
    const cookie = /^[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0] ?? '';
    clock = new Date(started.getTime() + 899_000);
    assert.equal((await shortSessions.request('GET', '/api/v1/auth/session', { headers: { cookie } })).status, 200);
    clock = new Date(started.getTime() + 901_000);
    assert.equal((await shortSessions.request('GET', '/api/v1/auth/session', { headers: { cookie } })).status, 401, 'ended after 900 s, not 8 h');
  } finally {
    clock = started;
  }
});

test('an expired session is 401 for reads and writes, and GET /auth/session says so', async () => {
  const session = await login();
  const started = clock;
  try {
    clock = new Date(started.getTime() + DEFAULT_SESSION_TTL_SECONDS * 1000 - 1000);
    assert.equal((await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } })).status, 200, 'still live a second before expiry');
    clock = new Date(started.getTime() + DEFAULT_SESSION_TTL_SECONDS * 1000 + 1000);
    const read = await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } });
    assert.equal(read.status, 401);
    assert.match(read.body.error.message, /expired/);
    const write = await server.request('POST', `${session.base}/services`, { body: { name: 'x', url: 'http://x:1' }, headers: consoleHeaders(session) });
    assert.equal(write.status, 401);
    assert.equal((await server.request('GET', '/api/v1/auth/session', { headers: { cookie: session.cookie } })).status, 401);
  } finally {
    clock = started;
  }
});

test('logout clears the cookie and ends the session: the old cookie is 401 afterwards; logout without the CSRF token is 403', async () => {
  const session = await login();
  const forged = await server.request('DELETE', '/api/v1/auth/session', { headers: { cookie: session.cookie, origin: 'https://evil.example' } });
  assert.equal(forged.status, 403, 'another site cannot log the user out');
  assert.equal((await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } })).status, 200);

  const logout = await server.request('DELETE', '/api/v1/auth/session', { headers: consoleHeaders(session) });
  assert.equal(logout.status, 204, logout.text);
  assert.match(logout.headers.get('set-cookie') ?? '', new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
  const reused = await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } });
  assert.equal(reused.status, 401);
  const reusedWrite = await server.request('POST', `${session.base}/services`, { body: { name: 'x', url: 'http://x:1' }, headers: consoleHeaders(session) });
  assert.equal(reusedWrite.status, 401);
  assert.equal((await db.pool.query('SELECT 1 FROM public.console_sessions WHERE tenant_id = $1', [session.tenant.id])).rowCount, 0);
  // Logging out again (or with no cookie) just clears the cookie.
  assert.equal((await server.request('DELETE', '/api/v1/auth/session', { headers: consoleHeaders(session) })).status, 204);
});

test('a password reset ends the sessions made before it', async () => {
  const session = await login();
  const mailed = server.mail.length;
  assert.equal((await server.request('POST', '/api/v1/auth/password-reset', { body: { email: session.tenant.email } })).status, 202);
  const mail = await waitForMail(server, session.tenant.email, server.mail.slice(0, mailed).filter((m) => m.to === session.tenant.email).length);
  const token = /Reset token: ([0-9a-f]{64})/.exec(mail.text)?.[1];
  assert.ok(token !== undefined);
  const confirm = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
  assert.equal(confirm.status, 204);
  const read = await server.request('GET', `${session.base}/services`, { headers: { cookie: session.cookie } });
  assert.equal(read.status, 401);
  assert.match(read.body.error.message, /console session was revoked by a password change/);
});

test('bearer-token clients work exactly as before: no CSRF token or Origin asked, whatever Origin they send', async () => {
  const tenant = await registerTenant(server);
  const base = `/api/v1/tenants/${tenant.id}`;
  const plain = await server.request('POST', `${base}/services`, { token: tenant.token, body: { name: 'a', url: 'http://a:1' } });
  assert.equal(plain.status, 201, plain.text);
  const withOrigin = await server.request('POST', `${base}/services`, { token: tenant.token, body: { name: 'b', url: 'http://b:1' }, headers: { origin: 'https://evil.example' } });
  assert.equal(withOrigin.status, 201, withOrigin.text);
  // A bad bearer token is not rescued by a good cookie.
  const session = await login(tenant);
  const badBearer = await server.request('GET', `${base}/services`, { token: 'not-a-token', headers: { cookie: session.cookie } });
  assert.equal(badBearer.status, 401);
  const none = await server.request('GET', `${base}/services`);
  assert.equal(none.status, 401);
});

test('session login refuses wrong credentials with no cookie, another site\'s Origin, and a malformed cookie reads nothing', async () => {
  const tenant = await registerTenant(server);
  const wrong = await server.request('POST', '/api/v1/auth/session', { body: { email: tenant.email, password: 'wrong password!!' }, headers: { origin: OWN_ORIGIN } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const crossSite = await server.request('POST', '/api/v1/auth/session', { body: { email: tenant.email, password: tenant.password }, headers: { origin: 'https://evil.example' } });
  assert.equal(crossSite.status, 403);
  assert.equal(crossSite.headers.get('set-cookie'), null);
  for (const cookie of [`${SESSION_COOKIE}=`, `${SESSION_COOKIE}=${'A'.repeat(43)}`, `${SESSION_COOKIE}=' OR 1=1 --`, `${SESSION_COOKIE}=${'x'.repeat(10_000)}`, 'other=1']) {
    const response = await server.request('GET', `/api/v1/tenants/${tenant.id}/services`, { headers: { cookie } });
    assert.equal(response.status, 401, cookie.slice(0, 40));
  }
});

test('every response carries the strict Content-Security-Policy, nosniff and no-referrer', async () => {
  for (const path of ['/register/confirm', '/api/v1/auth/session', '/healthz']) {
    const response = await server.request('GET', path);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /default-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
  }
});
