// The whole journey of issue 19 in a real browser (Debian's chromium, playwright-core) against a real control plane
// (HTTPS, PostgreSQL) serving the real console build, with a real gateway process and upstream: sign up → the mail's
// confirm link → the gateway key shown once (and never again) → a service and a route, first with an invalid path
// (the inline error) → a gateway process started with that key serves the route → the request in the logs page, the
// node on the gateways and overview pages → the config rolled back → the route gone from the gateway. All under the
// strict CSP (no violation, no page error); a screenshot of each page; how long the first page takes to become
// interactive is printed. A second test runs axe-core on every page of the console.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitForMail } from '@novagate/control-plane/testing/server';
import { startGatewayProcess, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { openPage, placesHolding, SCREENSHOTS, seriousAxeViolations, signIn, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;
let upstream: TestUpstream;
let gateway: GatewayProcess | undefined;
// The account the journey makes, for the axe test (which signs in as it).
const account = { email: `journey-${Math.random().toString(36).slice(2, 8)}@example.com`, password: 'journey password 2026', tenantName: 'Journey Co' };
let journeyDone = false;

before(async () => {
  stack = await startConsoleStack();
  upstream = await startUpstream();
});

after(async () => {
  await gateway?.stop();
  await upstream?.close();
  await stack?.close();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function openNav(page: Page, label: string, heading = label): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** The gateway's answer to GET `path` (0 when it does not answer). */
async function gatewayStatus(path: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${gateway!.port}${path}`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function waitForGatewayStatus(path: string, status: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await gatewayStatus(path);
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the gateway answered ${last}, not ${status}, on ${path} within ${timeoutMs} ms`);
}

test('sign up, confirm, key once, a route refused then made, a gateway with the key serves it, the request in the logs, rollback removes it', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    // The first page, timed to interactive (the login form's button usable) on the dev stack.
    const started = Date.now();
    const first = await page.goto(`${stack.base}/`);
    assert.equal(first?.status(), 200);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    console.log(`console journey: the first page became interactive ${Date.now() - started} ms after navigation (dev stack, HTTPS, cold cache)`);
    await shot(page, 'journey-login');

    // Sign up.
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create a NovaGate account' }).waitFor();
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByLabel('Tenant name').fill(account.tenantName);
    await shot(page, 'journey-signup');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    // The mail's link: the confirm page; the token leaves the address bar at once.
    const mail = await waitForMail(stack.server, account.email);
    const link = /https:\/\/\S+\/console\/confirm#token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    assert.ok(link !== undefined, `the mail links to the confirm page: ${mail.text}`);
    const token = link.slice(link.indexOf('#token=') + '#token='.length);
    await page.goto(link);
    await page.getByRole('button', { name: 'Create my account' }).waitFor();
    assert.deepEqual(await placesHolding(page, token), [], 'the confirm token is out of the URL and the page');
    await page.getByRole('button', { name: 'Create my account' }).click();

    // The key, once: a copy button and the warning beside it.
    const keyField = page.getByRole('textbox', { name: 'Gateway API key' });
    await keyField.waitFor();
    const key = await keyField.inputValue();
    assert.match(key, /^gw_[0-9a-f-]{36}_[0-9a-f]{32}$/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'only time NovaGate shows it' }).waitFor();
    await shot(page, 'journey-confirm-key-shown');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.deepEqual(await placesHolding(page, key), [], 'dismissed: the key is nowhere in the page');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.deepEqual(await placesHolding(page, key), [], 'nor after a reload');
    await page.goBack();
    await page.locator('main').waitFor();
    assert.deepEqual(await placesHolding(page, key), [], 'nor after Back');
    await page.goForward();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // A service, then a route: first with a path the API refuses (the error inline on the paths field).
    await openNav(page, 'Services');
    await page.getByLabel('Name', { exact: true }).fill('echo');
    await page.getByLabel('Upstream URL').fill(upstream.url);
    await page.getByRole('button', { name: 'Create service', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Service echo created.' }).waitFor();
    await shot(page, 'journey-services');

    await openNav(page, 'Routes');
    await page.getByLabel('Name', { exact: true }).fill('journey');
    await page.getByLabel('Service', { exact: true }).selectOption('echo');
    await page.getByLabel('Paths').fill('journey');
    await page.getByRole('button', { name: 'Create route', exact: true }).click();
    await page.locator('#route-paths-error').waitFor();
    assert.equal(await page.getByLabel('Paths').getAttribute('aria-invalid'), 'true');
    await shot(page, 'journey-routes-invalid-path');
    await page.getByLabel('Paths').fill('/journey/*');
    await page.getByRole('button', { name: 'Create route', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Route journey created.' }).waitFor();
    assert.equal(await page.locator('#route-paths-error').count(), 0, 'the inline error is gone');
    await shot(page, 'journey-routes');

    // A gateway process started with the key the confirm page showed serves the route.
    gateway = await startGatewayProcess({
      CONTROL_PLANE_URL: `wss://localhost:${new URL(stack.base).port}`,
      CONTROL_PLANE_CA_FILE: stack.caFile,
      GATEWAY_API_KEY: key,
      NODE_ID: 'journey-edge',
    });
    await waitForGatewayStatus('/journey/hello', 200);
    assert.ok(upstream.received.some((request) => request.url === '/journey/hello'), 'the upstream got the request');

    // The request in the logs page (the gateway ships its logs within a second or so).
    await openNav(page, 'Logs', 'Request logs');
    // The live tail brings it in without a reload.
    await page.getByRole('button', { name: 'Live tail' }).click();
    const logRow = page.getByRole('row').filter({ hasText: '/journey/*' }).filter({ hasText: '200' });
    await logRow.first().waitFor({ timeout: 30_000 });
    assert.match(await logRow.first().innerText(), /GET/);
    await shot(page, 'journey-logs');

    // The node on the gateways page and the overview.
    await openNav(page, 'Gateways');
    await page.getByRole('row').filter({ hasText: 'journey-edge' }).waitFor();
    await shot(page, 'journey-gateways');
    await openNav(page, 'Overview');
    await shot(page, 'journey-overview');

    // The key page lists the key by its prefix only: the key itself is never shown again.
    await openNav(page, 'Keys');
    await page.getByRole('heading', { name: 'Gateway API keys' }).waitFor();
    assert.deepEqual(await placesHolding(page, key), [], 'the keys page does not show the key');
    await shot(page, 'journey-keys');

    // Roll back to the version before the route: the gateway stops serving it.
    const versions = (await page.evaluate(async (path) => (await (await fetch(path)).json()) as { data: { version: number; summary?: string }[] }, `/api/v1/tenants/${await tenantIdOf(page)}/config/versions`)).data;
    const newest = Math.max(...versions.map((entry) => entry.version));
    const target = newest - 1;
    await openNav(page, 'History', 'Config history');
    await page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: String(target), exact: true }) })
      .getByRole('button', { name: `Roll back to this version (${target})` })
      .click();
    const panel = page.locator('.rollback-panel');
    await panel.getByText('Routes journey disappear', { exact: false }).waitFor();
    await shot(page, 'journey-history-rollback');
    await panel.getByRole('button', { name: `Yes, roll back to version ${target}` }).click();
    await page.getByRole('status').filter({ hasText: `Rolled back to version ${target}` }).waitFor();
    await waitForGatewayStatus('/journey/hello', 404);

    await openNav(page, 'Certificates');
    await shot(page, 'journey-certificates');

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
    journeyDone = true;
  } catch (error) {
    await shot(page, 'journey-failed').catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

/** The signed-in tenant's id, from the session endpoint (the page keeps it in memory only). */
async function tenantIdOf(page: Page): Promise<string> {
  return page.evaluate(async () => ((await (await fetch('/api/v1/auth/session')).json()) as { tenantId: string }).tenantId);
}

test('axe-core finds no serious or critical violation on any page of the console, signed out and signed in', async (t) => {
  if (!journeyDone) return t.skip('the journey did not finish: its account and data are what this test looks at');
  // axe is injected as a script, which the strict CSP forbids: this context bypasses it (the journey ran under it).
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const { page } = await openPage(context);
  const found: Record<string, string[]> = {};
  try {
    for (const [path, heading] of [
      ['login', 'Sign in to NovaGate'],
      ['signup', 'Create a NovaGate account'],
      ['reset', undefined],
      ['confirm', undefined],
    ] as const) {
      await page.goto(`${stack.base}/console/${path}`);
      if (heading === undefined) await page.locator('main h1').waitFor();
      else await page.getByRole('heading', { name: heading }).waitFor();
      found[path] = await seriousAxeViolations(page);
    }
    await page.goto(`${stack.base}/console/login`);
    await signIn(page, account);
    for (const label of ['Overview', 'Services', 'Routes', 'Consumers', 'Keys', 'History', 'Gateways', 'Logs', 'Certificates']) {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      found[label] = await seriousAxeViolations(page);
    }
    assert.deepEqual(found, Object.fromEntries(Object.keys(found).map((name) => [name, []])));
    assert.equal(Object.keys(found).length, 13, 'every page was looked at');
  } finally {
    await context.close();
  }
});
