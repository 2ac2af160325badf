// POST /auth/register/confirm with `session: true`: the console's confirm page creates the tenant and is signed in by
// the same answer (a session cookie and its CSRF token, as POST /auth/session gives), instead of a platform token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { withTestServer } from '../testing/with-test-server.js';
import { startRegistration } from '../testing/server.js';
import { sha256Hex } from '../tenancy/api-key-format.js';
import { SESSION_COOKIE } from './sessions.js';

const { db, server } = withTestServer();

// The test server's PUBLIC_URL is http://localhost.
const OWN_ORIGIN = 'http://localhost';
let counter = 0;
const newToken = () => startRegistration(server, `session${++counter}-${Date.now()}@example.com`, 'a long enough password', `Session ${counter}`);

test('confirming with session: true creates the tenant, sets the session cookie and answers the key, the CSRF token and the expiry, but no platform token', async () => {
  const token = await newToken();
  const confirmed = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: true }, headers: { origin: OWN_ORIGIN } });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.deepEqual(Object.keys(confirmed.body).sort(), ['csrfToken', 'expiresAt', 'gatewayApiKey', 'tenant']);
  assert.equal(tenantIdOfApiKey(confirmed.body.gatewayApiKey), confirmed.body.tenant.id);
  assert.match(confirmed.body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(Date.parse(confirmed.body.expiresAt) > Date.now());
  assert.equal(confirmed.headers.get('cache-control'), 'no-store');
  const setCookie = confirmed.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; Secure/);
  assert.match(setCookie, /; SameSite=Strict/);
  const value = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  assert.ok(value !== undefined, setCookie);
  const cookie = `${SESSION_COOKIE}=${value}`;

  // The cookie is a working session of the new tenant: it reads, and with the CSRF token it writes.
  const state = await server.request('GET', '/api/v1/auth/session', { headers: { cookie } });
  assert.deepEqual([state.status, state.body.tenantId, state.body.csrfToken], [200, confirmed.body.tenant.id, confirmed.body.csrfToken]);
  const base = `/api/v1/tenants/${confirmed.body.tenant.id}`;
  const keys = await server.request('GET', `${base}/api-keys`, { headers: { cookie } });
  assert.equal(keys.status, 200, keys.text);
  const created = await server.request('POST', `${base}/services`, {
    body: { name: 'users', url: 'http://users:8080' },
    headers: { cookie, origin: OWN_ORIGIN, 'x-csrf-token': confirmed.body.csrfToken },
  });
  assert.equal(created.status, 201, created.text);
});

test('without session the confirmation answers as before (a platform token) and sets no cookie', async () => {
  const token = await newToken();
  const confirmed = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: false } });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.deepEqual(Object.keys(confirmed.body).sort(), ['gatewayApiKey', 'tenant', 'token']);
  assert.equal(confirmed.headers.get('set-cookie'), null);
});

test('session: true from another site\'s Origin is 403 naming the Origin, spends no token and creates no tenant', async () => {
  const token = await newToken();
  const crossSite = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: true }, headers: { origin: 'https://evil.example' } });
  assert.equal(crossSite.status, 403, crossSite.text);
  assert.deepEqual(crossSite.body.error.details.map((d: { path: string }) => d.path), ['headers.origin']);
  assert.equal(crossSite.headers.get('set-cookie'), null);
  const { rows } = await db.pool.query('SELECT 1 FROM public.pending_registrations WHERE token_hash = $1', [sha256Hex(token)]);
  assert.equal(rows.length, 1, 'the pending registration is still there');
  const ownSite = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: true }, headers: { origin: OWN_ORIGIN } });
  assert.equal(ownSite.status, 201, 'the token still works from the control plane\'s own page');
});

test('a spent token with session: true is 400 naming token and sets no cookie; a session that is not a boolean is 400 naming session', async () => {
  const token = await newToken();
  assert.equal((await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: true }, headers: { origin: OWN_ORIGIN } })).status, 201);
  const again = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token, session: true }, headers: { origin: OWN_ORIGIN } });
  assert.equal(again.status, 400);
  assert.deepEqual(again.body.error.details.map((d: { path: string }) => d.path), ['token']);
  assert.equal(again.headers.get('set-cookie'), null);
  const notBoolean = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token: await newToken(), session: 'yes' }, headers: { origin: OWN_ORIGIN } });
  assert.equal(notBoolean.status, 400);
  assert.deepEqual(notBoolean.body.error.details.map((d: { path: string }) => d.path), ['session']);
});
