import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REGEX_PATHS_PER_CONFIG } from '@novagate/gateway/config';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';

const { db, server } = withTestServer();

const regexRoute = (name: string, count: number) => ({
  name,
  service: 'users',
  paths: Array.from({ length: count }, (_, index) => ({ type: 'RegularExpression', value: `/${name}/p${index}/[0-9]+` })),
});

test("a route that would take the tenant past the config-wide RegularExpression budget is refused naming paths; the config stays one every gateway accepts", async () => {
  const { tenant, call } = await registerTenantApi(server);
  await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = $1", [tenant.id]);
  assert.equal((await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } })).status, 201);
  // Exactly the budget, in routes of at most 64 paths each (one route's limit).
  let left = MAX_REGEX_PATHS_PER_CONFIG;
  for (let index = 0; left > 0; index++) {
    const count = Math.min(64, left);
    const created = await call('POST', '/routes', { body: regexRoute(`r${index}`, count) });
    assert.equal(created.status, 201, created.text);
    left -= count;
  }
  const over = await call('POST', '/routes', { body: regexRoute('one-more', 1) });
  assert.equal(over.status, 400, over.text);
  assert.equal(over.body.error.code, 'validation_failed');
  assert.equal(over.body.error.details[0].path, 'paths');
  assert.match(over.body.error.details[0].message, new RegExp(`at most ${MAX_REGEX_PATHS_PER_CONFIG} RegularExpression paths in all; the others hold ${MAX_REGEX_PATHS_PER_CONFIG}, this route 1`));
  // A route without RegularExpression paths is not limited by it, and a route may keep (or lower) its own share.
  assert.equal((await call('POST', '/routes', { body: { name: 'plain', service: 'users', paths: ['/plain'] } })).status, 201);
  const first = (await call('GET', '/routes')).body.data.find((route: { name: string }) => route.name === 'r0');
  const same = await call('PUT', `/routes/${first.id}`, { body: regexRoute('r0', 64) });
  assert.equal(same.status, 200, same.text);
  const more = await call('PUT', `/routes/${first.id}`, { body: { ...regexRoute('r0', 64), paths: [...regexRoute('r0', 64).paths, { type: 'RegularExpression', value: '/extra/[a-z]+' }] } });
  assert.equal(more.status, 400, 'one more than its own share is over the budget');
  const config = await call('GET', '/config');
  const regexPaths = (config.body.config.routes as { paths: (string | { type: string })[] }[]).flatMap((route) => route.paths).filter((path) => typeof path !== 'string' && path.type === 'RegularExpression');
  assert.equal(regexPaths.length, MAX_REGEX_PATHS_PER_CONFIG);
});
