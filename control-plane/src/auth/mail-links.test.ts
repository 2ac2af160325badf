import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, waitForMail } from '../testing/server.js';
import { consoleLocationOf } from './mail-links.js';
import { REGISTRATION_TOKEN_PATTERN } from './registration-tokens.js';

const { server } = withTestServer();

/** A GET that does not follow redirects: its status, Location and Cache-Control. */
async function redirectOf(path: string): Promise<{ status: number; location: string | null; cacheControl: string | null }> {
  const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location'), cacheControl: response.headers.get('cache-control') };
}

const HEX = 'ab'.repeat(32);

test('a legacy `?token=` moves into the fragment only when it has the token\'s form', () => {
  assert.equal(consoleLocationOf('/console/confirm', HEX, REGISTRATION_TOKEN_PATTERN), `/console/confirm#token=${HEX}`);
  for (const bad of [undefined, '', 'xyz', `${HEX}0`, ['a', 'b'], `${HEX}#x`]) {
    assert.equal(consoleLocationOf('/console/confirm', bad, REGISTRATION_TOKEN_PATTERN), '/console/confirm', String(bad));
  }
});

test('the old /register/confirm and /reset-password links redirect to the console pages (a browser keeps the fragment), never cached', async () => {
  assert.deepEqual(await redirectOf('/register/confirm'), { status: 302, location: '/console/confirm', cacheControl: 'no-store' });
  assert.deepEqual(await redirectOf('/reset-password'), { status: 302, location: '/console/reset', cacheControl: 'no-store' });
  assert.deepEqual(await redirectOf(`/register/confirm?token=${HEX}`), { status: 302, location: `/console/confirm#token=${HEX}`, cacheControl: 'no-store' });
  assert.deepEqual(await redirectOf(`/reset-password?token=${HEX}`), { status: 302, location: `/console/reset#token=${HEX}`, cacheControl: 'no-store' });
  assert.deepEqual(await redirectOf('/register/confirm?token=%3Cscript%3E'), { status: 302, location: '/console/confirm', cacheControl: 'no-store' });
  assert.equal((await redirectOf('/register/confirm.js')).status, 404, 'the old page\'s script is gone: the console page has its own');
});

test('the reset mail links to the console\'s reset page with the token in the fragment; the "you already have an account" mail links to the reset page', async () => {
  const tenant = await registerTenant(server);
  const before = server.mail.filter((message) => message.to === tenant.email).length;
  assert.equal((await server.request('POST', '/api/v1/auth/password-reset', { body: { email: tenant.email } })).status, 202);
  const reset = await waitForMail(server, tenant.email, before);
  const token = /Reset token: ([0-9a-f]{64})/.exec(reset.text)?.[1];
  assert.ok(token !== undefined, reset.text);
  assert.ok(reset.text.includes(`http://localhost/console/reset#token=${token}`), reset.text);
  assert.doesNotMatch(reset.text, /reset-password/);

  assert.equal((await server.request('POST', '/api/v1/auth/register', { body: { email: tenant.email, password: 'a long enough password', tenantName: 'Again' } })).status, 202);
  const already = await waitForMail(server, tenant.email, before + 1);
  assert.match(already.subject, /already have a NovaGate account/);
  assert.match(already.text, /reset it at: http:\/\/localhost\/console\/reset\n/);
});
