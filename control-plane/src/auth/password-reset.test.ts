import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant } from '../testing/server.js';

let clock = new Date('2026-01-01T00:00:00Z');
const { db, server } = withTestServer({ now: () => clock });

async function requestReset(email: string): Promise<string> {
  const mailCount = server.mail.length;
  const response = await server.request('POST', '/api/v1/auth/password-reset', { body: { email } });
  assert.equal(response.status, 202);
  for (let i = 0; i < 100 && server.mail.length === mailCount; i++) await new Promise((r) => setTimeout(r, 20));
  const message = server.mail.at(-1);
  assert.ok(message !== undefined && server.mail.length > mailCount, 'no reset mail was sent');
  const token = /Reset token: ([0-9a-f]{64})/.exec(message.text)?.[1];
  assert.ok(token !== undefined);
  return token;
}

test('a reset for an unknown email answers 202 all the same and sends nothing', async () => {
  const before = server.mail.length;
  const response = await server.request('POST', '/api/v1/auth/password-reset', { body: { email: 'ghost@example.com' } });
  assert.equal(response.status, 202);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(server.mail.length, before);
});

test('a reset token sets a new password once, and invalidates earlier platform tokens', async () => {
  const tenant = await registerTenant(server);
  const token = await requestReset(tenant.email);
  const { rows } = await db.pool.query('SELECT reset_token_hash FROM public.tenants WHERE id = $1', [tenant.id]);
  assert.match(rows[0].reset_token_hash, /^[0-9a-f]{64}$/);
  assert.notEqual(rows[0].reset_token_hash, token, 'the token must be stored hashed');

  const confirm = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
  assert.equal(confirm.status, 204);
  const reuse = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'another new password' } });
  assert.equal(reuse.status, 400, 'a token works once');
  assert.equal(reuse.body.error.details[0].path, 'token');

  const oldToken = await server.request('GET', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token });
  assert.equal(oldToken.status, 401, 'a token issued before the reset no longer works');
  const oldPassword = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
  assert.equal(oldPassword.status, 401);
  const login = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: 'a brand new password' } });
  assert.equal(login.status, 200);
  const fresh = await server.request('GET', `/api/v1/tenants/${tenant.id}/services`, { token: login.body.token });
  assert.equal(fresh.status, 200);
});

test('a reset token expires after one hour and is cleared when tried', async () => {
  const tenant = await registerTenant(server);
  const token = await requestReset(tenant.email);
  clock = new Date(clock.getTime() + 60 * 60 * 1000 + 1000);
  const late = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
  assert.equal(late.status, 400);
  const { rows } = await db.pool.query('SELECT reset_token_hash, reset_token_expires_at FROM public.tenants WHERE id = $1', [tenant.id]);
  assert.equal(rows[0].reset_token_hash, null);
  assert.equal(rows[0].reset_token_expires_at, null);
  const login = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
  assert.equal(login.status, 200, 'the old password still works');
});

test('a reset token within the hour works', async () => {
  const tenant = await registerTenant(server);
  const token = await requestReset(tenant.email);
  clock = new Date(clock.getTime() + 59 * 60 * 1000);
  const confirm = await server.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'a brand new password' } });
  assert.equal(confirm.status, 204);
});

test('the reset token never reaches a log line', async () => {
  const tenant = await registerTenant(server);
  const token = await requestReset(tenant.email);
  assert.ok(!server.logLines.join('\n').includes(token));
});
