// The console's operations pages in a real browser against a real control plane (HTTPS, PostgreSQL, the real build
// of console/): a tenant without gateways sees how to start one; a gateway connects (the protocol client, with an old
// config version) and ships request logs the way gateways do; the overview shows its numbers and the chart and
// refreshes itself; the logs page filters and tails a new row without a reload, stops asking when paused or hidden;
// a certificate expiring in 10 days carries the warning badge. Under the strict CSP (no violation, no page error);
// axe (bypassCSP context) finds no serious or critical violation on any of the four pages. Screenshots go to .dev/console-screenshots/.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { registerTenant, type RegisteredTenant } from '@novagate/control-plane/testing/server';
import { helloGateway, type ProtocolClient } from '@novagate/control-plane/testing/gateway-client';
import { openPage, SCREENSHOTS, seriousAxeViolations, signIn, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;
let tenant: RegisteredTenant;
let gateway: ProtocolClient | undefined;

interface LogEntry {
  requestId: string;
  method: string;
  pathTemplate: string;
  status: number;
  latencyMs: number;
  route: string;
  time: string;
}

const MINUTE = 60_000;
/** The config hash the gateway says it runs (a SHA-256, not the current config's). */
const OLD_HASH = `c0ffee00${'ab'.repeat(28)}`;
const minuteStart = Math.floor(Date.now() / MINUTE) * MINUTE;
/** `second` seconds into the minute `minutesAgo` minutes before the current one. */
const at = (minutesAgo: number, second: number) => new Date(minuteStart - minutesAgo * MINUTE + second * 1000).toISOString();
const entry = (requestId: string, time: string, status: number, route: string): LogEntry => ({ requestId, method: 'GET', pathTemplate: `/${route}/:id`, status, latencyMs: 4.2, route, time });

// Three minutes of traffic: 12 requests, 3 of them 5xx (orders 2, users 1), 3 of them 4xx.
const seeded: LogEntry[] = [
  ...[0, 1, 2, 3, 4].map((i) => entry(`orders-ok-${i}`, at(3, 10 + i), 200, 'orders')),
  entry('orders-fail-1', at(3, 20), 503, 'orders'),
  entry('orders-fail-2', at(3, 21), 503, 'orders'),
  ...[0, 1, 2].map((i) => entry(`users-missing-${i}`, at(2, 10 + i), 404, 'users')),
  entry('users-fail', at(2, 30), 500, 'users'),
  entry('carts-ok', at(1, 10), 200, 'carts'),
];

function api(path: string) {
  return stack.server.request('GET', `/api/v1/tenants/${tenant.id}${path}`, { token: tenant.token });
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function shipLogs(entries: LogEntry[]): Promise<void> {
  const before = (await api('/request-logs?limit=1000')).body.data.length as number;
  gateway!.send({ type: 'logs', entries });
  await waitFor('the logs to be stored', () => api('/request-logs?limit=1000'), (response) => response.body.data.length >= before + entries.length);
}

/** A self-signed certificate for ops.example.com valid for `days` days, made with openssl. */
function selfSignedCertificate(days: number): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-ops-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', String(days),
      '-subj', '/CN=ops.example.com', '-addext', 'subjectAltName=DNS:ops.example.com'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function go(page: Page, name: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** Makes the page see its tab as hidden or visible (a string script: tsx's helpers do not exist in the page). */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${state}' }); document.dispatchEvent(new Event('visibilitychange'));`);
}

const stat = (page: Page, name: string) => page.locator(`[data-stat="${name}"]`);

before(async () => {
  stack = await startConsoleStack();
  tenant = await registerTenant(stack.server, 'Ops Co');
});

after(async () => {
  gateway?.close();
  await stack?.close();
});

test('the operations pages show gateways, traffic, logs with filters and a live tail, and expiring certificates, under the strict CSP', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, timezoneId: 'UTC' });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await page.goto(`${stack.base}/console/overview`);
    await signIn(page, tenant);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    // No gateway yet: the page says how to start one with a key.
    await go(page, 'Gateways', 'Gateways');
    await page.getByRole('heading', { name: 'No gateway is connected' }).waitFor();
    assert.match((await page.locator('.empty-state').textContent()) ?? '', /CONTROL_PLANE_URL=wss:\/\/localhost:\d+ GATEWAY_API_KEY=gw_… npm start -w gateway/);
    await page.screenshot({ path: join(SCREENSHOTS, 'gateways-empty.png'), fullPage: true });

    // A gateway connects, running a config version the tenant no longer has as current, and ships its logs.
    const current = (await api('/config/versions?limit=1')).body.data[0].version as number;
    gateway = await helloGateway(stack.server.url, tenant.gatewayApiKey, { ca: stack.caPem, nodeId: 'edge-1', configVersion: current - 1, configHash: OLD_HASH });
    void gateway.closed.then((closed) => console.log(`the protocol client was closed: ${closed.code} ${closed.reason}`));
    await gateway.nextConfig();
    await shipLogs(seeded);
    await waitFor('the node to be online', () => api('/gateways'), (response) => response.body.data.length === 1);

    await page.reload();
    await page.getByRole('heading', { name: 'Gateways', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'edge-1' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`${current - 1}\\s*out of date \\(current ${current}\\)`));
    assert.equal(await row.locator('abbr').textContent(), 'c0ffee00abab');
    assert.equal(await row.locator('abbr').getAttribute('title'), OLD_HASH);
    assert.match((await row.locator('time').textContent()) ?? '', /(just now|\d+ s ago) \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'gateways.png'), fullPage: true });

    // The overview: one node online, one out of date, the current version, last hour's numbers and chart.
    await go(page, 'Overview', 'Overview');
    await stat(page, 'requests').filter({ hasText: '12' }).waitFor();
    assert.equal(await stat(page, 'gateways-online').textContent(), '1');
    assert.equal(await stat(page, 'gateways-out-of-date').textContent(), '1');
    assert.equal(await stat(page, 'config-version').textContent(), String(current));
    assert.equal(await stat(page, 'server-errors').textContent(), '3 (25 %)');
    assert.equal(await stat(page, 'client-errors').textContent(), '3');
    const bars = await page.locator('svg.chart rect.chart-bar').evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    assert.equal(bars.length, 60, 'one bar per minute of the hour');
    assert.equal(bars.at(-1), 0, 'the current minute is empty');
    const drawn = bars.filter((height) => height > 0);
    assert.equal(drawn.length, 3, 'three minutes with traffic');
    assert.equal(Math.max(...bars), 160, 'the busiest minute (7 requests) fills the height');
    const title = (await page.locator('svg.chart title').textContent()) ?? '';
    assert.match(title, /^12 requests in the last 60 minutes, at most 7 in a minute \(\d\d:\d\d UTC\); 3 server errors \(25 %\)\.$/);
    assert.equal(await page.getByRole('img', { name: title }).count(), 1, 'the chart is an image named by its summary');
    const topRoutes = await page.getByRole('table', { name: 'Routes with the most 5xx answers in the last hour' }).locator('tbody tr').allTextContents();
    assert.deepEqual(topRoutes, ['orders2729 %', 'users1425 %']);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
    // The overview refreshes itself (every 15 s while visible): a request shipped now is counted without a reload.
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    await shipLogs([entry('late-ok', new Date().toISOString(), 200, 'carts')]);
    await stat(page, 'requests').filter({ hasText: '13' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage), true, 'no reload happened');

    // The logs page: newest first, then filters by status, route and time range (local time is UTC here).
    await go(page, 'Logs', 'Request logs');
    const logIds = () => page.locator('table.logs tbody tr td:last-child').allTextContents();
    await page.locator('table.logs').waitFor();
    assert.deepEqual((await logIds()).slice(0, 3), ['late-ok', 'carts-ok', 'users-fail']);
    assert.equal((await logIds()).length, 13);
    const applyFilters = async (expected: number) => {
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitFor(`${expected} rows`, logIds, (ids) => ids.length === expected);
    };
    await page.getByLabel('Status').fill('503');
    await applyFilters(2);
    assert.deepEqual(await logIds(), ['orders-fail-2', 'orders-fail-1']);
    await page.getByLabel('Status').fill('');
    await page.getByLabel('Route').fill('users');
    await applyFilters(4);
    await page.getByLabel('Route').fill('');
    await page.getByLabel('From (local time)').fill(at(2, 0).slice(0, 16));
    await page.getByLabel('To (local time)').fill(at(1, 0).slice(0, 16));
    await applyFilters(4);
    assert.deepEqual(await logIds(), ['users-fail', 'users-missing-2', 'users-missing-1', 'users-missing-0']);
    // since after until is refused on the field, before any request.
    await page.getByLabel('From (local time)').fill(at(0, 0).slice(0, 16));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#logs-until-error').filter({ hasText: 'must not be before since' }).waitFor();
    assert.equal(await page.getByLabel('To (local time)').getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Clear' }).click();
    await waitFor('all rows', logIds, (ids) => ids.length === 13);

    // Live tail: a new row appears on top without a reload; paused or hidden, nothing is asked.
    const tailRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/request-logs?') && request.url().includes('after=')) tailRequests.push(request.url());
    });
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    const live = page.getByRole('button', { name: 'Live tail' });
    await live.click();
    assert.equal(await live.getAttribute('aria-pressed'), 'true');
    const shippedAt = Date.now();
    await shipLogs([entry('tail-new', new Date().toISOString(), 502, 'carts')]);
    await waitFor('the tailed row', logIds, (ids) => ids[0] === 'tail-new');
    console.log(`console: a new log row appeared in the live tail ${Date.now() - shippedAt} ms after it was shipped (polling every 2 s)`);
    assert.equal((await logIds()).length, 14);
    assert.equal(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage), true, 'no reload happened');
    await page.getByRole('status').filter({ hasText: '1 new row at' }).waitFor();

    // Hidden tab: no request while hidden, one as soon as it is visible again.
    await setVisibility(page, 'hidden');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeHidden = tailRequests.length;
    await new Promise((resolve) => setTimeout(resolve, 4500));
    assert.equal(tailRequests.length, beforeHidden, 'a hidden tab asks nothing');
    await setVisibility(page, 'visible');
    await waitFor('a request once visible', async () => tailRequests.length, (count) => count > beforeHidden);

    // Paused: no more requests, and a row shipped meanwhile is not shown until the tail resumes (then it is).
    await live.click();
    assert.equal(await live.getAttribute('aria-pressed'), 'false');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforePause = tailRequests.length;
    await shipLogs([entry('while-paused', new Date().toISOString(), 200, 'orders')]);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    assert.equal(tailRequests.length, beforePause, 'a paused tail asks nothing');
    assert.equal((await logIds())[0], 'tail-new');
    await live.click();
    await waitFor('the row shipped while paused', logIds, (ids) => ids[0] === 'while-paused' && ids[1] === 'tail-new');
    await live.click();
    await page.screenshot({ path: join(SCREENSHOTS, 'logs.png'), fullPage: true });

    // A certificate expiring in 10 days carries the warning badge.
    const pushed = await stack.server.request('POST', `/api/v1/tenants/${tenant.id}/certificates`, { token: tenant.token, body: { name: 'ops-cert', ...selfSignedCertificate(10) } });
    assert.equal(pushed.status, 201, pushed.text);
    await go(page, 'Certificates', 'Certificates');
    const certRow = page.getByRole('row').filter({ hasText: 'ops-cert' });
    await certRow.waitFor();
    assert.match((await certRow.textContent()) ?? '', /ops\.example\.com/);
    assert.equal(await certRow.locator('.fingerprint').textContent(), pushed.body.fingerprintSha256);
    assert.equal(await certRow.locator('.badge-warning').textContent(), 'Expires in 9 days');
    assert.equal(await certRow.locator('.managed-api').textContent(), 'API');
    await page.screenshot({ path: join(SCREENSHOTS, 'certificates.png'), fullPage: true });

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violation on the overview, gateways, logs and certificates pages', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, timezoneId: 'UTC' });
  const { page } = await openPage(context);
  try {
    await page.goto(`${stack.base}/console/overview`);
    await signIn(page, tenant);
    const found: Record<string, string[]> = {};
    await page.locator('svg.chart').waitFor();
    await page.getByText('Every minute as a table').click();
    found.overview = await seriousAxeViolations(page);
    await go(page, 'Gateways', 'Gateways');
    await page.locator('abbr').waitFor();
    found.gateways = await seriousAxeViolations(page);
    await go(page, 'Logs', 'Request logs');
    await page.locator('table.logs').waitFor();
    await page.getByLabel('Status').fill('5xx');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('#logs-status-error').waitFor();
    found.logs = await seriousAxeViolations(page);
    await go(page, 'Certificates', 'Certificates');
    await page.locator('.fingerprint').waitFor();
    found.certificates = await seriousAxeViolations(page);
    assert.deepEqual(found, { overview: [], gateways: [], logs: [], certificates: [] });
  } finally {
    await context.close();
  }
});
