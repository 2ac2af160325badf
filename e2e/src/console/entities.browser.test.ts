// The services, routes and consumers pages in a real browser (Debian's chromium, playwright-core) against a real
// control plane (HTTPS, PostgreSQL) serving the real console build: a service created and edited; a route refused on
// its paths field (the API's error inline, focused), a JSON syntax error refused on the advanced field without a
// request, then created, listed, edited and deleted after a confirmation; a consumer created, edited (a key made
// meanwhile on the keys API makes the save 412, in words, and survives the save made after reopening) and deleted; objects the operator manages (written the way the
// operator writes them) shown with a badge naming their resource and no edit or delete control. Under the strict
// CSP with no violation and no page error; axe-core (a bypassCSP context) finds no serious or critical violation.
// The callbacks of page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { consumerSchema, routeSchema, serviceSchema } from '@novagate/gateway/config';
import { consumerEntities, lockTenantForConfigChange, recordConfigVersion, routeEntities, serviceEntities } from '@novagate/control-plane/tenancy';
import { registerTenant, type RegisteredTenant } from '@novagate/control-plane/testing/server';
import { openPage, SCREENSHOTS, seriousAxeViolations, signIn, startConsoleStack, type ConsoleStack } from './browser-fixture.js';

let stack: ConsoleStack;
let tenant: RegisteredTenant;

/** What the operator's config sync does for a Route resource shop/orders and a Consumer resource: rows managed by 'kubernetes'. */
async function writeAsOperator(tenantId: string): Promise<void> {
  const client = await stack.db.pool.connect();
  try {
    await client.query('BEGIN');
    assert.ok(await lockTenantForConfigChange(client, tenantId));
    await serviceEntities.insert(client, tenantId, serviceSchema.parse({ name: 'k8s.shop.orders', url: 'http://orders.shop.svc:80' }), 'kubernetes');
    await routeEntities.insert(client, tenantId, routeSchema.parse({ name: 'k8s.shop.orders', service: 'k8s.shop.orders', paths: ['/shop/orders'] }), 'kubernetes');
    await consumerEntities.insert(client, tenantId, consumerSchema.parse({ username: 'shop-app' }), 'kubernetes');
    await recordConfigVersion(client, tenantId, { by: 'operator' });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

before(async () => {
  stack = await startConsoleStack();
  tenant = await registerTenant(stack.server, 'Entities Co');
  await writeAsOperator(tenant.id);
});

after(async () => {
  await stack?.close();
});

const api = (method: string, path: string, body?: unknown) => stack.server.request(method, `/api/v1/tenants/${tenant.id}${path}`, { token: tenant.token, body });
const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

/** The focused element's id once focus has settled on `expected` (focus moves in an effect after the render), else as it is after 2 s. */
async function focusedId(page: Page, expected: string | null): Promise<string> {
  await page.waitForFunction((id) => (document.activeElement?.id ?? '') === id, expected ?? '', { timeout: 2_000 }).catch(() => undefined);
  return activeId(page);
}

/** Clicks the form's submit button and waits for the API's answer to it. */
async function submitAndWait(page: Page, button: string, collection: string): Promise<number> {
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith(`/api/v1/tenants/${tenant.id}/${collection}`) && ['POST', 'PUT'].includes(response.request().method()));
  await page.getByRole('button', { name: button, exact: true }).click();
  return (await answered).status();
}

async function openNav(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

/** The managed row shows its badge and no edit or delete control. */
async function assertReadOnly(page: Page, kind: string, name: string, badge: string): Promise<void> {
  const row = page.getByRole('row').filter({ hasText: name });
  await row.getByText(badge, { exact: true }).waitFor();
  assert.equal(await row.getByRole('button').count(), 0, `the ${kind} ${name} has no edit or delete control`);
  assert.equal(await page.getByRole('button', { name: `Edit ${kind} ${name}` }).count(), 0);
}

async function deleteThroughDialog(page: Page, kind: string, name: string): Promise<void> {
  const trigger = page.getByRole('button', { name: `Delete ${kind} ${name}`, exact: true });
  // Keyboard: focus the control, Enter opens the confirmation, Escape leaves it with nothing deleted.
  await trigger.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Delete ${kind} ${name}?` });
  await dialog.waitFor();
  assert.equal(await focusedId(page, ''), '', 'the dialog focuses its Cancel button (no id)');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'Cancel is the default');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  const triggerId = await trigger.getAttribute('id');
  assert.equal(await focusedId(page, triggerId), triggerId, 'focus returns to the delete control');
  await page.getByRole('row').filter({ hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  const deleted = page.waitForResponse((response) => response.request().method() === 'DELETE');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  assert.equal((await deleted).status(), 204);
  await page.getByRole('status').filter({ hasText: `${kind.charAt(0).toUpperCase()}${kind.slice(1)} ${name} deleted.` }).waitFor();
}

test('services, routes and consumers are created, refused inline, edited and deleted; managed objects are read-only with their resource named', async () => {
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await page.goto(`${stack.base}/console/services`);
    await signIn(page, tenant);
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();

    // Services: the operator's service is read-only; a new one is created and edited.
    await assertReadOnly(page, 'service', 'k8s.shop.orders', 'Managed by Kubernetes: Route shop/orders');
    await page.getByLabel('Name', { exact: true }).fill('orders');
    await page.getByLabel('Upstream URL').fill('http://orders.internal:8080');
    assert.equal(await submitAndWait(page, 'Create service', 'services'), 201);
    await page.getByRole('status').filter({ hasText: 'Service orders created.' }).waitFor();
    await page.getByRole('button', { name: 'Edit service orders', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit service orders' }).waitFor();
    assert.equal(await focusedId(page, 'service-name'), 'service-name', 'editing starts in the first field');
    assert.match(await page.getByLabel('Advanced (JSON)').inputValue(), /"timeoutMs": 10000/, "the service's other fields are in the advanced JSON");
    await page.getByLabel('Upstream URL').fill('http://orders.internal:9090');
    assert.equal(await submitAndWait(page, 'Save service', 'services'), 200);
    await page.getByRole('status').filter({ hasText: 'Service orders saved.' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'http://orders.internal:9090' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'services.png'), fullPage: true });

    // Routes: an invalid path is refused by the API on the paths field, focused.
    await openNav(page, 'Routes');
    await assertReadOnly(page, 'route', 'k8s.shop.orders', 'Managed by Kubernetes: Route shop/orders');
    await page.getByLabel('Name', { exact: true }).fill('orders-api');
    await page.getByLabel('Service', { exact: true }).selectOption('orders');
    await page.getByLabel('Paths').fill('orders');
    await page.getByRole('checkbox', { name: 'GET', exact: true }).check();
    await page.getByRole('checkbox', { name: 'POST', exact: true }).check();
    assert.equal(await submitAndWait(page, 'Create route', 'routes'), 400);
    const pathsError = page.locator('#route-paths-error');
    await pathsError.waitFor();
    assert.match(await pathsError.innerText(), /^orders: path must start with '\/'/);
    assert.equal(await page.getByLabel('Paths').getAttribute('aria-invalid'), 'true');
    assert.match((await page.getByLabel('Paths').getAttribute('aria-describedby')) ?? '', /route-paths-error/);
    assert.equal(await focusedId(page, 'route-paths'), 'route-paths', 'focus moves to the field in error');
    assert.equal(await page.locator('#route-name-error').count(), 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'routes-invalid-path.png'), fullPage: true });

    // A JSON syntax error in the advanced field is refused on it without a request.
    let writes = 0;
    const countWrites = (request: { method(): string }) => void (request.method() === 'POST' && (writes += 1));
    page.on('request', countWrites);
    await page.getByLabel('Paths').fill('/orders/*');
    await page.getByLabel('Advanced (JSON)').fill('{"rateLimit": {"limit": 100,');
    await page.getByRole('button', { name: 'Create route', exact: true }).click();
    await page.locator('#route-advanced-error').waitFor();
    assert.match(await page.locator('#route-advanced-error').innerText(), /^not valid JSON: /);
    assert.equal(await focusedId(page, 'route-advanced'), 'route-advanced');
    assert.equal(writes, 0, 'no request was made');
    page.off('request', countWrites);

    await page.getByLabel('Advanced (JSON)').fill('{"rateLimit": {"limit": 100, "windowSeconds": 60}}');
    assert.equal(await submitAndWait(page, 'Create route', 'routes'), 201);
    await page.getByRole('status').filter({ hasText: 'Route orders-api created.' }).waitFor();
    const routeRow = page.getByRole('row').filter({ hasText: 'orders-api' });
    assert.deepEqual(
      (await routeRow.getByRole('cell').allInnerTexts()).slice(0, 7).map((text) => text.trim()),
      ['orders-api', '/orders/*', 'GET, POST', 'orders', 'any', 'none', 'API'],
    );
    assert.equal(await page.locator('#route-paths-error').count(), 0, 'the inline error is gone');

    // Edit: the form holds the route (the advanced JSON its other fields); a host and key-auth are added.
    await page.getByRole('button', { name: 'Edit route orders-api', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit route orders-api' }).waitFor();
    assert.equal(await page.getByLabel('Paths').inputValue(), '/orders/*');
    assert.deepEqual(JSON.parse(await page.getByLabel('Advanced (JSON)').inputValue()), { rateLimit: { limit: 100, windowSeconds: 60, by: 'consumer' } });
    await page.getByLabel('Hosts').fill('api.example.com');
    await page.getByLabel('Authentication').selectOption('key-auth');
    assert.equal(await submitAndWait(page, 'Save route', 'routes'), 200);
    await page.getByRole('status').filter({ hasText: 'Route orders-api saved.' }).waitFor();
    await routeRow.getByRole('cell', { name: 'api.example.com', exact: true }).waitFor();
    const stored = (await api('GET', '/routes')).body.data.find((route: { name: string }) => route.name === 'orders-api');
    assert.deepEqual(
      { hosts: stored.hosts, auth: stored.auth, rateLimit: stored.rateLimit, methods: stored.methods, service: stored.service },
      { hosts: ['api.example.com'], auth: 'key-auth', rateLimit: { limit: 100, windowSeconds: 60, by: 'consumer' }, methods: ['GET', 'POST'], service: 'orders' },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'routes.png'), fullPage: true });

    await deleteThroughDialog(page, 'route', 'orders-api');
    assert.equal(await page.getByRole('row').filter({ hasText: 'orders-api' }).count(), 0);
    assert.equal((await api('GET', `/routes/${stored.id}`)).status, 404);

    // Consumers: created, edited while a key is made on the keys API (the stale save is refused, the key survives
    // the save made after reopening), deleted.
    await openNav(page, 'Consumers');
    await assertReadOnly(page, 'consumer', 'shop-app', 'Managed by Kubernetes: Consumer resource (username shop-app)');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Groups').fill('gold\neu');
    await page.getByLabel('Advanced (JSON)').fill('{"rateLimit": {"limit": 5, "windowSeconds": 1}}');
    assert.equal(await submitAndWait(page, 'Create consumer', 'consumers'), 201);
    await page.getByRole('status').filter({ hasText: 'Consumer alice created.' }).waitFor();
    await page.getByRole('button', { name: 'Edit consumer alice', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit consumer alice' }).waitFor();
    const alice = (await api('GET', '/consumers')).body.data.find((consumer: { username: string }) => consumer.username === 'alice');
    const key = await api('POST', `/consumers/${alice.id}/keys`, { name: 'made meanwhile' });
    assert.equal(key.status, 201, key.text);
    await page.getByLabel('JWT subject').fill('alice-sub');
    assert.equal(await submitAndWait(page, 'Save consumer', 'consumers'), 412, 'the form was opened before the key was made: its save is conditional (If-Match)');
    await page.getByRole('alert').filter({ hasText: 'This consumer changed since you opened it' }).waitFor();
    assert.equal((await api('GET', `/consumers/${alice.id}`)).body.jwtSubject ?? null, null, 'the stale save changed nothing');
    await page.getByRole('button', { name: 'Cancel editing' }).click();
    await page.getByRole('heading', { name: 'Create a consumer' }).waitFor();
    await page.getByRole('button', { name: 'Edit consumer alice', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit consumer alice' }).waitFor();
    await page.getByLabel('JWT subject').fill('alice-sub');
    assert.equal(await submitAndWait(page, 'Save consumer', 'consumers'), 200);
    await page.getByRole('status').filter({ hasText: 'Consumer alice saved.' }).waitFor();
    const saved = (await api('GET', `/consumers/${alice.id}`)).body;
    assert.equal(saved.jwtSubject, 'alice-sub');
    assert.deepEqual(saved.groups, ['gold', 'eu']);
    assert.deepEqual(saved.rateLimit, { limit: 5, windowSeconds: 1 });
    assert.equal(saved.apiKeyHashes.length, 1, 'the key made while the form was open is still the consumer’s');
    await page.getByRole('row').filter({ hasText: 'alice-sub' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'consumers.png'), fullPage: true });
    await deleteThroughDialog(page, 'consumer', 'alice');
    assert.equal((await api('GET', `/consumers/${alice.id}`)).status, 404);

    // The managed objects are untouched.
    assert.ok((await api('GET', '/routes')).body.data.some((route: { name: string; managedBy: string }) => route.name === 'k8s.shop.orders' && route.managedBy === 'kubernetes'));

    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-entities.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violation on the services, routes and consumers pages, listed, with an inline error and with the delete dialog open', async () => {
  const made = await api('POST', '/services', { name: 'inventory', url: 'http://inventory.internal' });
  assert.equal(made.status, 201, made.text);
  const route = await api('POST', '/routes', { name: 'inventory', service: 'inventory', paths: ['/inventory'] });
  assert.equal(route.status, 201, route.text);
  const consumer = await api('POST', '/consumers', { username: 'bob' });
  assert.equal(consumer.status, 201, consumer.text);
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
  const { page } = await openPage(context);
  const found: Record<string, string[]> = {};
  try {
    await page.goto(`${stack.base}/console/services`);
    await signIn(page, tenant);
    await page.getByRole('row').filter({ hasText: 'inventory' }).waitFor();
    found.services = await seriousAxeViolations(page);
    await page.getByLabel('Name', { exact: true }).fill('bad name');
    await page.getByLabel('Upstream URL').fill('http://x');
    await submitAndWait(page, 'Create service', 'services');
    await page.locator('#service-name-error').waitFor();
    found['services with an inline error'] = await seriousAxeViolations(page);

    await openNav(page, 'Routes');
    await page.getByRole('row').filter({ hasText: '/inventory' }).waitFor();
    found.routes = await seriousAxeViolations(page);
    await page.getByLabel('Name', { exact: true }).fill('x');
    await page.getByLabel('Paths').fill('no-slash');
    await page.getByLabel('Hosts').fill('Bad_Host');
    await submitAndWait(page, 'Create route', 'routes');
    await page.locator('#route-paths-error').waitFor();
    found['routes with inline errors'] = await seriousAxeViolations(page);
    await page.getByRole('button', { name: 'Delete route inventory', exact: true }).click();
    await page.getByRole('dialog').waitFor();
    found['routes with the delete dialog'] = await seriousAxeViolations(page);
    await page.keyboard.press('Escape');

    await openNav(page, 'Consumers');
    await page.getByRole('row').filter({ hasText: 'bob' }).waitFor();
    found.consumers = await seriousAxeViolations(page);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Groups').fill('not a group!');
    await submitAndWait(page, 'Create consumer', 'consumers');
    await page.locator('#consumer-groups-error').waitFor();
    found['consumers with an inline error'] = await seriousAxeViolations(page);
    assert.deepEqual(found, Object.fromEntries(Object.keys(found).map((name) => [name, []])));
    assert.equal(Object.keys(found).length, 7);
  } catch (error) {
    await page.screenshot({ path: join(SCREENSHOTS, 'failed-entities-axe.png'), fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
});

test("a service a route uses is not deleted: the API's refusal is shown in words and the row stays", async () => {
  assert.equal((await api('POST', '/services', { name: 'billing', url: 'http://billing.internal' })).status, 201);
  assert.equal((await api('POST', '/routes', { name: 'billing', service: 'billing', paths: ['/billing'] })).status, 201);
  const context = await stack.browser.newContext({ ignoreHTTPSErrors: true });
  const { page, cspViolations, pageErrors } = await openPage(context);
  try {
    await page.goto(`${stack.base}/console/services`);
    await signIn(page, tenant);
    await page.getByRole('button', { name: 'Delete service billing', exact: true }).click();
    const refused = page.waitForResponse((response) => response.request().method() === 'DELETE');
    await page.getByRole('dialog', { name: 'Delete service billing?' }).getByRole('button', { name: 'Delete', exact: true }).click();
    assert.equal((await refused).status(), 409);
    await page.getByRole('alert').filter({ hasText: /^Service billing was not deleted: .*billing/ }).waitFor();
    assert.equal(await page.getByRole('row').filter({ hasText: 'http://billing.internal' }).count(), 1);
    assert.deepEqual([cspViolations, pageErrors], [[], []]);
  } finally {
    await context.close();
  }
});
