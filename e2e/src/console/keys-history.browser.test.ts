// The console's keys page and config history page in a real browser (Debian's chromium driven by playwright-core)
// against a real control plane (HTTPS, PostgreSQL) serving the real build of console/:
// - a gateway key created in the page is shown once (gw_ prefix, a copy button), a gateway connects with it, and it
//   is never rendered again (dismissed, reload, Back, navigating away while shown); revoking it (after a confirm
//   step) takes it off the list and the hub refuses it;
// - a consumer key likewise, its hash reaching the config gateways receive and leaving it once revoked;
// - config changes made through the API are in the history with who made them, the diff between two versions is
//   shown with +/- markers and words, a rollback (its warnings listed first) writes a new version equal to the old
//   one, and a rollback after someone else changed the config gets the conflict message and a reloaded list.
// Under the strict CSP (no violation, no page error); axe-core (a bypassCSP context) finds no serious or critical
// violation on either page, with a key shown, a diff shown and the rollback confirmation open. Screenshots go to
// .dev/console-screenshots/.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '@novagate/control-plane/testing/server';
import { helloGateway } from '@novagate/control-plane/testing/gateway-client';
import { consumerEntities, createApiKey, recordConfigVersion, serviceEntities } from '@novagate/control-plane/tenancy';
import { consumerSchema, serviceSchema } from '@novagate/gateway/config';
import { openPage, placesHolding, SCREENSHOTS, seriousAxeViolations, signIn, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;

before(async () => {
  stack = await startConsoleStack();
});

after(async () => {
  await stack?.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Tenant {
  tenant: RegisteredTenant;
  call: TestServer['request'];
}

async function freshTenant(name: string): Promise<Tenant> {
  const { tenant, call } = await registerTenantApi(stack.server, name);
  return { tenant, call };
}

/** Opens `page` of the console signed in as `tenant` (the login page first, then the page asked for). */
async function openSignedIn(page: Page, tenant: RegisteredTenant, name: 'keys' | 'history', heading: string): Promise<void> {
  await page.goto(`${stack.base}/console/${name}`);
  await signIn(page, tenant);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/console/${name}`);
}

/** Creates a gateway key through the page; resolves with the key the page shows (read from the one-time field). */
async function createGatewayKey(page: Page, name: string): Promise<string> {
  await page.locator('#gateway-key-name').fill(name);
  await page.getByRole('button', { name: 'Create gateway key' }).click();
  const field = page.getByRole('textbox', { name: `New gateway key ${name}`, exact: true });
  await field.waitFor();
  return field.inputValue();
}

/**
 * The shown-once fields that hold `secret` (an input's value is a property, which the fixture's placesHolding does
 * not see in the DOM's HTML), as `#id`.
 */
async function fieldsHolding(page: Page, secret: string): Promise<string[]> {
  return page.evaluate((wanted) => Array.from(document.querySelectorAll('input, textarea')).filter((field) => (field as HTMLInputElement).value.includes(wanted)).map((field) => `#${field.id}`), secret);
}

/** The places a dismissed secret must not be: the fixture's (DOM, storage, URL, title, cookies, history) and field values. */
async function anywhereHolding(page: Page, secret: string): Promise<string[]> {
  return [...(await placesHolding(page, secret)), ...(await fieldsHolding(page, secret))];
}

async function gatewayConnects(key: string): Promise<boolean> {
  try {
    const gateway = await helloGateway(stack.base, key, { ca: stack.caPem });
    await gateway.nextConfig();
    gateway.close();
    return true;
  } catch (error) {
    if (error instanceof Error && /upgrade refused with 401/.test(error.message)) return false;
    throw error;
  }
}

test('a gateway key made in the page is shown once, connects a gateway, is never rendered again, and once revoked is off the list and refused', async () => {
  const { tenant, call } = await freshTenant('Keys Co');
  assert.equal((await call('POST', '/consumers', { body: { username: 'partner' } })).status, 201);
  // A key bound to a Kubernetes Gateway, as the operator makes one.
  await createApiKey(stack.db.pool, tenant.id, 'gateway shop/web', undefined, 'shop/web');
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await openSignedIn(page, tenant, 'keys', 'Keys');
    // The key registration made is listed by its prefix, never whole.
    const firstRow = page.getByRole('row').filter({ hasText: tenant.gatewayApiKey.slice(0, tenant.gatewayApiKey.lastIndexOf('_') + 5) });
    await firstRow.waitFor();
    assert.ok(!(await page.content()).includes(tenant.gatewayApiKey), 'a listed key shows its prefix only');
    assert.match(await firstRow.innerText(), /Whole config/);
    const bound = page.getByRole('row').filter({ hasText: 'gateway shop/web' });
    assert.equal(await bound.locator('.badge').innerText(), 'Gateway shop/web', 'a key bound to a Gateway has its badge');
    await page.screenshot({ path: join(SCREENSHOTS, 'keys.png'), fullPage: true });

    const key = await createGatewayKey(page, 'edge-eu');
    assert.match(key, new RegExp(`^gw_${tenant.id}_[0-9a-f]{32}$`));
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByText('this is the only time NovaGate shows it').waitFor();
    assert.deepEqual(await anywhereHolding(page, key), ['fields', '#gateway-key-secret'], 'while shown, the key is in its field and nowhere else');
    await page.screenshot({ path: join(SCREENSHOTS, 'keys-shown.png'), fullPage: true });
    const listed = await call('GET', '/api-keys');
    const made = listed.body.data.find((row: { name: string }) => row.name === 'edge-eu');
    assert.ok(made !== undefined && key.startsWith(made.prefix), listed.text);
    assert.equal(made.lastUsedAt, null);

    // The key is real: a gateway connects with it and receives the config.
    assert.equal(await gatewayConnects(key), true, 'the hub accepts the new key');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('textbox', { name: 'New gateway key edge-eu', exact: true }).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'gateway-key-name', 'focus returns to the form');
    assert.deepEqual(await anywhereHolding(page, key), [], 'dismissed: the key is gone from the page');
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'edge-eu' });
    await row.waitFor();
    assert.match(await row.innerText(), /UTC/, 'used: the list shows when (the gateway connected)');
    assert.doesNotMatch(await row.innerText(), /Never/);
    assert.deepEqual(await anywhereHolding(page, key), [], 'after a reload');
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Config history', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Keys', level: 1 }).waitFor();
    await row.waitFor();
    assert.deepEqual(await anywhereHolding(page, key), [], 'after going away and Back');

    // A key still shown when the admin navigates away is dropped with the page, not shown again on Back.
    const second = await createGatewayKey(page, 'edge-us');
    assert.deepEqual(await anywhereHolding(page, second), ['fields', '#gateway-key-secret']);
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Config history', level: 1 }).waitFor();
    assert.deepEqual(await anywhereHolding(page, second), []);
    await page.goBack();
    await page.getByRole('row').filter({ hasText: 'edge-us' }).waitFor();
    assert.deepEqual(await anywhereHolding(page, second), [], 'Back does not bring a shown key back');

    // Revoking asks first; "Keep it" keeps it.
    await row.getByRole('button', { name: 'Revoke gateway key edge-eu' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    assert.equal(await row.getByRole('button', { name: 'Revoke gateway key edge-eu' }).count(), 1);
    assert.equal(await gatewayConnects(key), true, 'kept: still accepted');
    await row.getByRole('button', { name: 'Revoke gateway key edge-eu' }).click();
    await page.getByRole('button', { name: 'Yes, revoke gateway key edge-eu' }).click();
    await page.getByRole('status').filter({ hasText: 'Gateway key edge-eu revoked.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'gateway-keys-heading', undefined, { timeout: 2_000 });
    await page.getByText('Revoked gateway keys (1)').waitFor();
    const afterRevoke = await call('GET', '/api-keys');
    assert.notEqual(afterRevoke.body.data.find((entry: { name: string }) => entry.name === 'edge-eu').revokedAt, null);
    assert.equal(await gatewayConnects(key), false, 'the hub refuses the revoked key');
    assert.equal(await gatewayConnects(second), true, 'the other key still works');

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-keys.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('a consumer key generated in the page is shown once, reaches the config gateways receive, and leaves it once revoked', async () => {
  const { tenant, call } = await freshTenant('Consumer Keys Co');
  assert.equal((await call('POST', '/consumers', { body: { username: 'mobile' } })).status, 201);
  assert.equal((await call('POST', '/consumers', { body: { username: 'partner' } })).status, 201);
  await operatorAdds(tenant.id, { consumer: 'k8s.shop.app' });
  const gateway = await helloGateway(stack.base, tenant.gatewayApiKey, { ca: stack.caPem });
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await openSignedIn(page, tenant, 'keys', 'Keys');
    // A consumer the operator manages is read-only here (the API refuses key changes to it).
    await page.getByLabel('Consumer', { exact: true }).selectOption({ label: 'k8s.shop.app (managed by Kubernetes)' });
    await page.getByText('The keys of k8s.shop.app come from its Kubernetes resource').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Generate consumer key' }).count(), 0);
    await page.getByLabel('Consumer', { exact: true }).selectOption({ label: 'partner' });
    await page.getByText('partner has no active key.').waitFor();
    await page.locator('#consumer-key-name').fill('billing-app');
    await page.getByRole('button', { name: 'Generate consumer key' }).click();
    const field = page.getByRole('textbox', { name: 'New key billing-app of consumer partner', exact: true });
    await field.waitFor();
    const key = await field.inputValue();
    assert.match(key, /^ck_[0-9a-f]{32}$/);
    assert.deepEqual(await anywhereHolding(page, key), ['fields', '#consumer-key-secret'], 'while shown, the key is in its field and nowhere else');
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'billing-app' });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(key.slice(0, 7)), 'listed by its prefix');

    // Gateways get the key's hash (key-auth accepts it); the API has it on the consumer.
    const hasKey = (config: { config: { consumers: unknown[] } }) =>
      (config.config.consumers as { username: string; apiKeyHashes?: string[] }[]).some((c) => c.username === 'partner' && (c.apiKeyHashes ?? []).includes(sha256(key)));
    const withKey = await gateway.nextConfig(hasKey);
    assert.deepEqual((await call('GET', '/consumers/partner')).body.apiKeyHashes, [sha256(key)]);

    await page.getByRole('button', { name: 'I have stored it' }).click();
    await field.waitFor({ state: 'detached' });
    assert.deepEqual(await anywhereHolding(page, key), []);
    await page.reload();
    await page.getByLabel('Consumer', { exact: true }).selectOption({ label: 'partner' });
    await row.waitFor();
    assert.deepEqual(await anywhereHolding(page, key), [], 'after a reload');

    await row.getByRole('button', { name: 'Revoke key billing-app' }).click();
    await page.getByRole('button', { name: 'Yes, revoke key billing-app' }).click();
    await page.getByRole('status').filter({ hasText: 'Key billing-app of consumer partner revoked.' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'consumer-keys-heading', undefined, { timeout: 2_000 });
    await gateway.nextConfig((config) => config.version > withKey.version && !hasKey(config));
    assert.deepEqual((await call('GET', '/consumers/partner')).body.apiKeyHashes, []);

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-consumer-keys.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    gateway.close();
    await context.close();
  }
});

/** Writes as the Kubernetes operator does: an object it manages, then a config version made by the operator. */
async function operatorAdds(tenantId: string, what: { service: string } | { consumer: string }): Promise<void> {
  const client = await stack.db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT id FROM public.tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    if ('service' in what) await serviceEntities.insert(client, tenantId, serviceSchema.parse({ name: what.service, url: 'http://web.shop:80' }), 'kubernetes');
    else await consumerEntities.insert(client, tenantId, consumerSchema.parse({ username: what.consumer }), 'kubernetes');
    await recordConfigVersion(client, tenantId, { by: 'operator' });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Services and routes made through the API: versions 2 to 5 after the tenant's version 1. */
async function makeHistory(call: TestServer['request']): Promise<string> {
  const users = await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } }); // v2
  assert.equal(users.status, 201, users.text);
  assert.equal((await call('POST', '/routes', { body: { name: 'get-user', service: 'users', paths: ['/users'] } })).status, 201); // v3
  assert.equal((await call('POST', '/services', { body: { name: 'orders', url: 'http://orders:8080' } })).status, 201); // v4
  assert.equal((await call('PUT', `/services/${users.body.id}`, { body: { name: 'users', url: 'http://users:9090' } })).status, 200); // v5
  return users.body.id;
}

function versionRow(page: Page, version: number) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: String(version), exact: true }) });
}

test('the history shows API changes with who made them, a diff between two versions, a rollback that restores the old config, and a stale rollback refused', async () => {
  const { tenant, call } = await freshTenant('History Co');
  await makeHistory(call);
  await operatorAdds(tenant.id, { service: 'k8s.shop.web' }); // v6
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await openSignedIn(page, tenant, 'history', 'Config history');
    await versionRow(page, 6).waitFor();
    const rows = await page.locator('table.versions tbody th[scope="row"]').allInnerTexts();
    assert.deepEqual(rows, ['6', '5', '4', '3', '2', '1'], 'newest first');
    assert.match(await versionRow(page, 6).innerText(), /Kubernetes operator[\s\S]*services: 1 added/);
    assert.match(await versionRow(page, 5).innerText(), /API \(console or API client\)[\s\S]*services: 1 changed/);
    assert.match(await versionRow(page, 3).innerText(), /routes: 1 added\s+Routes: \+ get-user/);
    assert.match(await versionRow(page, 5).innerText(), /Services: ~ users/);
    assert.match(await versionRow(page, 1).innerText(), /NovaGate[\s\S]*tenant created/);
    assert.match(await versionRow(page, 5).innerText(), /UTC/);
    await page.screenshot({ path: join(SCREENSHOTS, 'history.png'), fullPage: true });

    // The diff between versions 2 and 5, as marked entries with words.
    await page.getByLabel('From version').selectOption('2');
    await page.getByLabel('To version').selectOption('5');
    await page.getByRole('button', { name: 'Show changes' }).click();
    const diff = page.locator('.diff-card');
    await diff.getByRole('heading', { name: 'Changes from version 2 to version 5' }).waitFor();
    const diffText = await diff.locator('.diff').innerText();
    assert.match(diffText, /Services\s+\+\s*added\s+orders\s+~\s*changed\s+users/);
    assert.match(diffText, /Routes\s+\+\s*added\s+get-user/);
    assert.doesNotMatch(diffText, /Consumers|removed\s+\S/);
    await page.screenshot({ path: join(SCREENSHOTS, 'history-diff.png'), fullPage: true });

    // Roll back to version 2: the confirmation lists what comes back and what disappears, then a new version.
    await versionRow(page, 2).getByRole('button', { name: 'Roll back to this version (2)' }).click();
    const panel = page.locator('.rollback-panel');
    await panel.getByRole('heading', { name: 'Roll back to version 2?' }).waitFor();
    await panel.getByText('Routes get-user disappear: gateways stop serving them.').waitFor();
    await panel.getByText('Services orders disappear (added after version 2).').waitFor();
    await panel.getByText('Services users return to their settings of version 2.').waitFor();
    await panel.getByText('Objects managed by Kubernetes stay as they are (their resources are their source): k8s.shop.web.').waitFor();
    const rollback = page.waitForResponse((response) => response.url().endsWith('/config/versions/2/rollback'));
    await panel.getByRole('button', { name: 'Yes, roll back to version 2' }).click();
    const sent = (await rollback).request().postDataJSON() as { version: number };
    assert.deepEqual(sent, { version: 6 }, 'the precondition is the newest version the page showed');
    const done = page.getByRole('status').filter({ hasText: 'Rolled back to version 2: version 7 written.' });
    await done.waitFor();
    assert.match(await done.innerText(), /objects managed by Kubernetes were left as they are/, "the API's own note is shown");
    await versionRow(page, 7).waitFor();
    assert.match(await versionRow(page, 7).innerText(), /API \(console or API client\)[\s\S]*rollback to version 2/);

    // The API agrees: the objects the API manages are version 2's again; the operator's service stays.
    const v2 = (await call('GET', '/config/versions/2')).body.config;
    const v7 = (await call('GET', '/config/versions/7')).body.config;
    const apiManaged = (config: { services: { name: string }[]; routes: unknown[]; consumers: unknown[] }) => ({
      services: config.services.filter((service) => !service.name.startsWith('k8s.')),
      routes: config.routes,
      consumers: config.consumers,
    });
    assert.deepEqual(apiManaged(v7), apiManaged(v2));
    const services = (await call('GET', '/services')).body.data as { name: string; url: string }[];
    assert.deepEqual(services.map((s) => [s.name, s.url]).sort(), [['k8s.shop.web', 'http://web.shop:80'], ['users', 'http://users:8080']]);
    assert.deepEqual((await call('GET', '/routes')).body.data, []);

    // Someone else changes the config after the page loaded: the page's rollback is refused and the list reloads.
    assert.equal((await call('POST', '/services', { body: { name: 'late', url: 'http://late:8080' } })).status, 201); // v8
    await versionRow(page, 4).getByRole('button', { name: 'Roll back to this version (4)' }).click();
    await panel.getByText('Services orders come back.').waitFor();
    await panel.getByRole('button', { name: 'Yes, roll back to version 4' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone changed the config after this page loaded' });
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /config is at version 8, not 7/);
    await versionRow(page, 8).waitFor();
    const newest = (await call('GET', '/config/versions?limit=1')).body.data[0];
    assert.equal(newest.version, 8, 'nothing was rolled back');
    assert.deepEqual(((await call('GET', '/services')).body.data as { name: string }[]).map((s) => s.name).sort(), ['k8s.shop.web', 'late', 'users']);

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-history.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violation on the keys page (listed, a key shown, a revoke asked) and the history page (listed, a diff, a rollback asked)', async () => {
  const { tenant, call } = await freshTenant('Axe Keys Co');
  assert.equal((await call('POST', '/consumers', { body: { username: 'partner' } })).status, 201);
  await makeHistory(call);
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const { page } = await openPage(context);
  try {
    await openSignedIn(page, tenant, 'keys', 'Keys');
    await page.locator('table.keys').first().waitFor();
    await page.getByText('partner has no active key.').waitFor();
    const found: Record<string, string[]> = { keys: await seriousAxeViolations(page) };
    await createGatewayKey(page, 'axe-edge');
    found['keys with a key shown'] = await seriousAxeViolations(page);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Revoke gateway key axe-edge' }).click();
    found['keys with a revoke asked'] = await seriousAxeViolations(page);
    await page.locator('#consumer-key-name').fill('');
    await page.getByRole('button', { name: 'Generate consumer key' }).click();
    await page.locator('#consumer-key-name-error').waitFor();
    found['keys with an inline error'] = await seriousAxeViolations(page);

    await page.getByRole('link', { name: 'History' }).click();
    await versionRow(page, 5).waitFor();
    found.history = await seriousAxeViolations(page);
    await page.getByRole('button', { name: 'Show changes' }).click();
    await page.locator('.diff-card').waitFor();
    found['history with a diff'] = await seriousAxeViolations(page);
    await versionRow(page, 2).getByRole('button', { name: 'Roll back to this version (2)' }).click();
    await page.getByText('Routes get-user disappear: gateways stop serving them.').waitFor();
    found['history with a rollback asked'] = await seriousAxeViolations(page);
    // Cancelling gives the focus back to the button that asked.
    await page.locator('.rollback-panel').getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'rollback-2', undefined, { timeout: 2_000 });
    assert.deepEqual(found, {
      keys: [],
      'keys with a key shown': [],
      'keys with a revoke asked': [],
      'keys with an inline error': [],
      history: [],
      'history with a diff': [],
      'history with a rollback asked': [],
    });
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-keys-history-axe.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});
