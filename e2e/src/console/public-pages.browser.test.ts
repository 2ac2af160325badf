// The console's public pages in a real browser (Debian's chromium via playwright-core) against a real control plane
// (HTTPS, PostgreSQL) serving the real build of console/: sign up (the API's errors inline on their fields), the
// mailed confirm link (its token gone from the URL at once, nothing spent by opening it), the gateway key shown once
// and never again (DOM, storage, URL, title, history state after dismissing, reloading and going Back), signed in by
// the confirmation; the same link again refused in words; the old /register/confirm and /reset-password links
// still landing on the console pages with their token; password reset request and confirm, then sign-in with the new
// password. Under the strict CSP (no violation, no page error); axe-core (a bypassCSP context) finds no serious or
// critical violation on the sign-up, confirm and reset pages. Screenshots go to .dev/console-screenshots/.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { registerTenant, startRegistration, waitForMail, type TestServer } from '@novagate/control-plane/testing/server';
import { helloGateway } from '@novagate/control-plane/testing/gateway-client';
import { openPage, placesHolding, SCREENSHOTS, seriousAxeViolations, signIn, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;
let base: string;

before(async () => {
  stack = await startConsoleStack();
  base = stack.base;
});

after(async () => {
  await stack?.close();
});

let counter = 0;
const newEmail = (what: string) => `${what}${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** The link a mail carries to a console page, with its token in the fragment. */
function linkIn(text: string, page: 'confirm' | 'reset'): { link: string; token: string } {
  const match = new RegExp(`(https://localhost:\\d+/console/${page})#token=([0-9a-f]{64})`).exec(text);
  assert.ok(match !== null, `no /console/${page}#token= link in the mail: ${text}`);
  return { link: `${match[1]}#token=${match[2]}`, token: match[2] as string };
}

/** The newest reset mail's token for `email`, after asking the API for one. */
async function resetTokenFor(server: TestServer, email: string): Promise<string> {
  const before = server.mail.filter((message) => message.to === email).length;
  assert.equal((await server.request('POST', '/api/v1/auth/password-reset', { body: { email } })).status, 202);
  return linkIn((await waitForMail(server, email, before)).text, 'reset').token;
}

const pathOf = (page: Page) => new URL(page.url()).pathname;

test('sign up in the browser, confirm from the mailed link: token out of the URL at once, the key shown once and never again, signed in; the link a second time is refused in words', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    // From the login page to sign-up by keyboard: the link follows the form in the tab order.
    await page.goto(`${base}/console/login`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Create an account', 'Tab reaches the sign-up link after email, password and the button');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create a NovaGate account' }).waitFor();
    assert.equal(pathOf(page), '/console/signup');
    await page.screenshot({ path: join(SCREENSHOTS, 'signup.png'), fullPage: true });

    // The API's validation errors land on their fields.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Tenant name').fill('Public Pages Co');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#signup-email-error').waitFor();
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#signup-email-error').innerText(), /email/);
    assert.match(await page.locator('#signup-password-error').innerText(), /at least 10 characters/);
    assert.equal(await page.locator('#signup-tenantName-error').count(), 0, 'the tenant name was fine');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'signup-email', 'focus moves to the first field in error');
    await page.screenshot({ path: join(SCREENSHOTS, 'signup-errors.png'), fullPage: true });

    const email = newEmail('browser');
    const password = 'a long enough password';
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), new RegExp(`We sent a mail to ${email.replace(/\./g, '\\.')}\\.`));

    const { link, token } = linkIn((await waitForMail(stack.server, email)).text, 'confirm');
    const apiRequests: string[] = [];
    page.on('request', (request) => void apiRequests.push(`${request.url()} ${request.headers().referer ?? ''}`));
    // Where the page's address was when the console made its first API call (held while the test looks).
    const addressAtFirstCall: string[] = [];
    await page.route('**/api/v1/**', async (route) => {
      if (addressAtFirstCall.length === 0) addressAtFirstCall.push(await page.evaluate(() => location.href));
      await route.continue();
    });
    await page.goto(link);
    await page.getByRole('button', { name: 'Create my account' }).waitFor();
    await page.unroute('**/api/v1/**');
    assert.deepEqual(addressAtFirstCall, [`${base}/console/confirm`], 'the token left the address bar before the first API call');
    assert.equal(page.url(), `${base}/console/confirm`, 'the token is gone from the address bar');
    assert.deepEqual(await placesHolding(page, token), [], 'the token is in no URL, title, DOM, storage or history state');
    assert.ok(apiRequests.length > 0 && apiRequests.every((line) => !line.includes(token)), 'no request carried the token');
    const before = await stack.db.pool.query('SELECT 1 FROM public.tenants WHERE owner_email = $1', [email]);
    assert.equal(before.rowCount, 0, 'opening the link created nothing');
    await page.screenshot({ path: join(SCREENSHOTS, 'confirm.png'), fullPage: true });

    await page.getByRole('button', { name: 'Create my account' }).click();
    const keyField = page.getByRole('textbox', { name: 'Gateway API key' });
    await keyField.waitFor();
    const key = await keyField.inputValue();
    assert.match(key, /^gw_/);
    const tenantId = await page.locator('.tenant-id').innerText();
    assert.equal(tenantIdOfApiKey(key), tenantId, 'the key belongs to the tenant shown');
    assert.match(await page.getByRole('alert').filter({ hasText: 'only time' }).innerText(), /only time NovaGate shows it/);
    await page.screenshot({ path: join(SCREENSHOTS, 'confirm-key-shown.png'), fullPage: true });

    // Signed in by the confirmation: the cookie session reads the tenant's key list, whose one key is this one.
    const keys = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/tenants/${id}/api-keys`);
      return { status: response.status, body: (await response.json()) as { data: { prefix: string }[] } };
    }, tenantId);
    assert.equal(keys.status, 200);
    assert.equal(keys.body.data.length, 1);
    assert.ok(key.startsWith(keys.body.data[0]?.prefix ?? '-'), `the listed key ${keys.body.data[0]?.prefix} is the key shown`);
    // And the key works: a gateway connecting with it gets the tenant's config.
    const gateway = await helloGateway(base, key, { ca: stack.caPem });
    try {
      assert.equal((await gateway.nextConfig()).version, 1);
    } finally {
      gateway.close();
    }

    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.notEqual(pathOf(page), '/console/confirm', 'the home page took the confirm page\'s place');
    assert.deepEqual(await placesHolding(page, key), [], 'dismissed: the key is gone');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.deepEqual(await placesHolding(page, key), [], 'after a reload');
    await page.goBack();
    await page.waitForLoadState();
    await page.locator('main').waitFor();
    assert.notEqual(pathOf(page), '/console/confirm');
    assert.deepEqual(await placesHolding(page, key), [], 'after Back');
    assert.deepEqual(await placesHolding(page, token), []);

    // The same link again: a clear error, and no key.
    await page.goto(link);
    await page.getByRole('button', { name: 'Create my account' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'invalid, expired or already used' });
    await refused.waitFor();
    assert.match(await refused.innerText(), /If you already pressed the button, your account exists: sign in/);
    assert.equal(await page.getByRole('button', { name: 'Create my account' }).count(), 0, 'no button to press again');
    assert.deepEqual(await placesHolding(page, key), []);
    const tenants = await stack.db.pool.query('SELECT id FROM public.tenants WHERE owner_email = $1', [email]);
    assert.deepEqual(tenants.rows.map((row) => row.id), [tenantId], 'one tenant');

    // Reloading the confirm page (the token already taken out of the URL) cannot use it; it says what to do.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'carries no token' }).waitFor();

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-public-confirm.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('a link to the old /register/confirm page lands on the console\'s confirm page with its token, out of the URL', async () => {
  const email = newEmail('legacy');
  const token = await startRegistration(stack.server, email, 'a long enough password', 'Legacy Link');
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    const opened = await page.goto(`${base}/register/confirm#token=${token}`);
    assert.equal(opened?.request().redirectedFrom()?.url(), `${base}/register/confirm`, 'the old path redirected');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('textbox', { name: 'Gateway API key' }).waitFor();
    assert.equal(page.url(), `${base}/console/confirm`);
    assert.deepEqual(await placesHolding(page, token), []);
    assert.deepEqual([cspViolations, pageErrors], [[], []]);
  } finally {
    await context.close();
  }
});

test('password reset in the browser: request (neutral answer), the mailed link (token out of the URL), a weak password refused on its field, the new one set, then sign-in with it', async () => {
  const tenant = await registerTenant(stack.server, 'Reset Co');
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await page.goto(`${base}/console/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    assert.equal(pathOf(page), '/console/reset');
    await page.screenshot({ path: join(SCREENSHOTS, 'reset.png'), fullPage: true });

    // The answer is the same words for an email with no account.
    const mailed = stack.server.mail.filter((message) => message.to === tenant.email).length;
    await page.getByLabel('Email').fill('nobody-here@example.com');
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'If an account exists for nobody-here@example.com, a mail with a reset link is on its way.' }).waitFor();
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await page.getByRole('status').filter({ hasText: `If an account exists for ${tenant.email}, a mail with a reset link is on its way.` }).waitFor();

    const { link, token } = linkIn((await waitForMail(stack.server, tenant.email, mailed)).text, 'reset');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(page.url(), `${base}/console/reset`, 'the token is gone from the address bar');
    assert.deepEqual(await placesHolding(page, token), []);
    await page.screenshot({ path: join(SCREENSHOTS, 'reset-new-password.png'), fullPage: true });

    await page.getByLabel('New password').fill('weak');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.locator('#reset-password-error').waitFor();
    assert.match(await page.locator('#reset-password-error').innerText(), /at least 10 characters/);
    assert.equal(await page.getByLabel('New password').getAttribute('aria-invalid'), 'true');

    const newPassword = 'a brand new passphrase';
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('heading', { name: 'Sign in to NovaGate' }).waitFor();
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill(tenant.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    await signIn(page, { email: tenant.email, password: newPassword });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to NovaGate' }).waitFor();

    // The same link again: refused in words, with a way to ask for a new one.
    await page.goto(link);
    await page.getByLabel('New password').fill('another new passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'This reset link is invalid, expired or already used' }).waitFor();
    await page.getByRole('button', { name: 'Ask for a new link' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();

    // A link to the old /reset-password path lands on the new-password form with its token.
    const legacyToken = await resetTokenFor(stack.server, tenant.email);
    await page.goto(`${base}/reset-password#token=${legacyToken}`);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(page.url(), `${base}/console/reset`);
    await page.getByLabel('New password').fill('the third passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-public-reset.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violation on the sign-up (with inline errors), confirm (before and with the key) and reset (request and new password) pages', async () => {
  const confirmToken = await startRegistration(stack.server, newEmail('axe'), 'a long enough password', 'Axe Co');
  const tenant = await registerTenant(stack.server, 'Axe Reset');
  const resetToken = await resetTokenFor(stack.server, tenant.email);
  // axe is injected as a script, which the strict CSP forbids: this context bypasses it (the other tests ran under it).
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const { page } = await openPage(context);
  try {
    const found: Record<string, string[]> = {};
    await page.goto(`${base}/console/signup`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#signup-email-error').waitFor();
    found['signup with inline errors'] = await seriousAxeViolations(page);
    await page.goto(`${base}/console/confirm#token=${confirmToken}`);
    await page.getByRole('button', { name: 'Create my account' }).waitFor();
    found.confirm = await seriousAxeViolations(page);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('textbox', { name: 'Gateway API key' }).waitFor();
    found['confirm with the key'] = await seriousAxeViolations(page);
    await page.goto(`${base}/console/reset`);
    await page.getByRole('button', { name: 'Send the reset link' }).waitFor();
    found['reset request'] = await seriousAxeViolations(page);
    await page.goto(`${base}/console/reset#token=${resetToken}`);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.locator('#reset-password-error').waitFor();
    found['reset new password with an inline error'] = await seriousAxeViolations(page);
    assert.deepEqual(found, {
      'signup with inline errors': [],
      confirm: [],
      'confirm with the key': [],
      'reset request': [],
      'reset new password with an inline error': [],
    });
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-public-axe.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});
