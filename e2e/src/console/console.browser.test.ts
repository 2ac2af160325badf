// The web console in a real browser (Debian's chromium driven by playwright-core) against a real control plane
// (HTTPS, PostgreSQL) serving the real build of console/ (`npm run build`): sign in by keyboard, the services page,
// a service with an invalid URL (the API's error inline on the field), then a valid one listed, sign out. Under
// the strict CSP (no violation may be reported), with the CSRF token never in storage, the URL or the DOM, and
// axe-core (injected in a second context with bypassCSP) finding no serious or critical violation on each page.
// Screenshots of each page go to .dev/console-screenshots/.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { registerTenant, type RegisteredTenant } from '@novagate/control-plane/testing/server';
import { openPage, SCREENSHOTS, seriousAxeViolations, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;
let tenant: RegisteredTenant;
let base: string;

before(async () => {
  stack = await startConsoleStack();
  base = stack.base;
  tenant = await registerTenant(stack.server, 'Console Co');
});

after(async () => {
  await stack?.close();
});

/** Signs in with the keyboard only (Tab to each labelled field from the top of the page, Enter to submit), then opens the services page. */
async function signInByKeyboard(page: Page): Promise<void> {
  await page.getByLabel('Email').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-email', 'the first Tab reaches the email field');
  await page.keyboard.type(tenant.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password');
  await page.keyboard.type(tenant.password);
  await page.keyboard.press('Enter');
  // Signed in, the console shows its home page, the overview; the services page is one link away.
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/console/overview');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Services' }).click();
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}

/** Creates a service through the form; resolves once the API answered (inline error or status line). */
async function submitService(page: Page, name: string, url: string): Promise<void> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Upstream URL').fill(url);
  const answered = page.waitForResponse((response) => response.url().endsWith(`/tenants/${tenant.id}/services`) && response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Create service' }).click();
  await answered;
}

test('a tenant admin signs in, sees an invalid upstream URL refused on its field, creates a valid service and signs out, under the strict CSP', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    const started = Date.now();
    const first = await page.goto(`${base}/`);
    assert.equal(first?.status(), 200);
    assert.match(first?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    console.log(`console: the login page became interactive ${Date.now() - started} ms after navigation (dev stack, HTTPS)`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await page.screenshot({ path: join(SCREENSHOTS, 'login.png'), fullPage: true });

    // A wrong password is refused in words, no session made.
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    await page.reload();

    await signInByKeyboard(page);
    assert.equal(new URL(page.url()).pathname, '/console/services');
    await page.getByText('No services yet.').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'services-empty.png'), fullPage: true });

    await submitService(page, 'orders', 'ftp://orders.internal');
    const urlField = page.getByLabel('Upstream URL');
    await page.locator('#service-url-error').waitFor();
    assert.equal(await urlField.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#service-url-error').innerText(), /\S/);
    assert.match((await urlField.getAttribute('aria-describedby')) ?? '', /service-url-error/);
    assert.equal(await page.locator('#service-name-error').count(), 0, 'the name was fine: no error on it');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'service-url', 'focus moves to the field in error');
    await page.screenshot({ path: join(SCREENSHOTS, 'services-invalid-url.png'), fullPage: true });

    await submitService(page, 'orders', 'http://orders.internal:8080');
    await page.getByRole('status').filter({ hasText: 'Service orders created.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'orders' });
    await row.waitFor();
    assert.match(await row.innerText(), /http:\/\/orders\.internal:8080/);
    assert.equal(await page.locator('#service-url-error').count(), 0, 'the inline error is gone once the service is created');
    await page.screenshot({ path: join(SCREENSHOTS, 'services-created.png'), fullPage: true });

    // The API agrees: the service exists.
    const listed = await stack.server.request('GET', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token });
    assert.ok(listed.body.data.some((service: { name: string; url: string }) => service.name === 'orders' && service.url === 'http://orders.internal:8080'), listed.text);

    // The CSRF token (the page's, read back through the cookie) is nowhere but in the script's memory.
    const csrfToken = await page.evaluate(async () => ((await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string }).csrfToken);
    assert.match(csrfToken, /\S{16,}/);
    const exposed = await page.evaluate(() => ({
      local: JSON.stringify(Object.entries(localStorage)),
      session: JSON.stringify(Object.entries(sessionStorage)),
      url: location.href,
      cookies: document.cookie,
      dom: document.documentElement.outerHTML,
    }));
    for (const [where, text] of Object.entries(exposed)) assert.ok(!text.includes(csrfToken), `the CSRF token is in ${where}`);
    assert.doesNotMatch(exposed.cookies, /novagate_session/, 'the session cookie is httpOnly');

    // A reload keeps the session (cookie) and gets the CSRF token back: writes still work.
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'orders' }).waitFor();
    await submitService(page, 'billing', 'http://billing.internal');
    await page.getByRole('status').filter({ hasText: 'Service billing created.' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to NovaGate' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/login');
    const after = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
    assert.equal(after, 401, 'signing out ends the session');

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');

    // The control: the policy is enforced on this page and a violation would have been seen above.
    const reported = page.waitForEvent('console', (message) => /Content Security Policy/i.test(message.text()));
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inlineRan = "yes"';
      document.head.append(script);
      return document.body.dataset.inlineRan ?? 'no';
    });
    await reported;
    assert.equal(ran, 'no', 'an inline script is refused');
    assert.equal(cspViolations.length, 1);
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-journey.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violation on the login page and the services page (listed, and with an inline error)', async () => {
  // A service of its own, so the page shows its table whether or not the other test ran first.
  const made = await stack.server.request('POST', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token, body: { name: 'inventory', url: 'http://inventory.internal' } });
  assert.equal(made.status, 201, made.text);
  // axe is injected as a script, which the strict CSP forbids: this context bypasses it (the first test ran under it).
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const { page } = await openPage(context);
  try {
    await page.goto(`${base}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const found: Record<string, string[]> = { login: await seriousAxeViolations(page) };
    await signInByKeyboard(page);
    await page.getByRole('heading', { name: 'Your services' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'inventory' }).waitFor();
    found.services = await seriousAxeViolations(page);
    await submitService(page, 'bad', 'not a url');
    await page.locator('#service-url-error').waitFor();
    found['services with an inline error'] = await seriousAxeViolations(page);
    assert.deepEqual(found, { login: [], services: [], 'services with an inline error': [] });
    // The control: axe does report a critical problem when there is one (an unlabelled field).
    await page.evaluate(() => document.querySelector('main')?.append(document.createElement('input')));
    assert.ok((await seriousAxeViolations(page)).some((violation) => violation.startsWith('label (critical)')), 'axe sees an unlabelled field');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-axe.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});
