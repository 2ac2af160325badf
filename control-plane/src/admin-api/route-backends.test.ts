import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '@novagate/gateway/config';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

const { db, server } = withTestServer();

const fresh = () => registerTenantApi(server);
type Call = Awaited<ReturnType<typeof fresh>>['call'];

/** A route as POST /routes answers it, without the admin API's own fields. */
const configPart = (body: Record<string, unknown>) => {
  const { id: _id, managedBy: _managedBy, createdAt: _createdAt, updatedAt: _updatedAt, ...config } = body;
  return config;
};

async function withServices(call: Call, ...names: string[]): Promise<void> {
  for (const name of names) assert.equal((await call('POST', '/services', { body: { name, url: `http://${name}:8080` } })).status, 201);
}

async function newestVersion(call: Call): Promise<number> {
  return (await call('GET', '/config')).body.version as number;
}

const SPLIT = {
  name: 'split',
  paths: ['/users'],
  backends: [
    { service: 'users', weight: 90, requestHeaders: { set: { 'x-track': 'stable' } } },
    { service: 'users-v2', weight: 10, responseHeaders: { remove: ['server'] } },
    { invalid: true, weight: 0 },
  ],
  mirrors: [{ service: 'shadow', percent: 12.5 }, { service: 'users-v2' }],
};
/** SPLIT as stored and answered: the schema's defaults filled in. */
const SPLIT_STORED = {
  ...SPLIT,
  methods: [],
  hosts: [],
  stripPrefix: false,
  auth: 'none',
};

test('a route with backends and mirrors and no service round-trips through POST, GET, the list, GET /config and PUT /config', async () => {
  const { call } = await fresh();
  await withServices(call, 'users', 'users-v2', 'shadow');
  const created = await call('POST', '/routes', { body: SPLIT });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(configPart(created.body), SPLIT_STORED);
  assert.equal('service' in created.body, false, 'no service key, not service: null');
  assert.deepEqual(configPart((await call('GET', `/routes/${created.body.id}`)).body), SPLIT_STORED);
  assert.deepEqual(configPart((await call('GET', '/routes/split')).body), SPLIT_STORED);
  assert.deepEqual((await call('GET', '/routes')).body.data.map(configPart), [SPLIT_STORED]);

  const config = await call('GET', '/config');
  assert.deepEqual(config.body.config.routes, [SPLIT_STORED]);
  // Written back as read, the config is the same one: same hash, and no new version's worth of change.
  const put = await call('PUT', '/config', { body: { version: config.body.version, config: config.body.config } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.hash, config.body.hash);
  assert.deepEqual((await call('GET', '/config')).body.config.routes, [SPLIT_STORED]);
});

test('a route moves between service and backends and back with PUT, and a route with neither (answers 500) is stored too', async () => {
  const { tenant, call } = await fresh();
  await withServices(call, 'users', 'users-v2', 'shadow');
  const created = await call('POST', '/routes', { body: { name: 'r', service: 'users', paths: ['/r'] } });
  assert.equal(created.status, 201, created.text);
  const split = await call('PUT', `/routes/${created.body.id}`, { body: { ...SPLIT, name: 'r', paths: ['/r'] } });
  assert.equal(split.status, 200, split.text);
  assert.equal('service' in split.body, false);
  assert.deepEqual(split.body.backends, SPLIT_STORED.backends);
  const { rows } = await db.pool.query(`SELECT service_id FROM ${quotedTenantSchema(tenant.id)}.routes WHERE name = 'r'`);
  assert.equal(rows[0].service_id, null);

  const back = await call('PUT', `/routes/${created.body.id}`, { body: { name: 'r', service: 'users-v2', paths: ['/r'] } });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.service, 'users-v2');
  assert.equal('backends' in back.body, false, 'the backends left the options with the PUT');
  assert.equal('mirrors' in back.body, false);

  const defaults = await call('POST', '/routes', { body: { name: 'defaults', paths: ['/defaults'], backends: [{ service: 'users', invalid: false }] } });
  assert.equal(defaults.status, 201, defaults.text);
  assert.deepEqual(defaults.body.backends, [{ service: 'users', weight: 1 }], 'weight defaults to 1; invalid: false is left out');
  assert.equal((await call('DELETE', '/routes/defaults')).status, 204);

  const bare = await call('POST', '/routes', { body: { name: 'nothing', paths: ['/nothing'] } });
  assert.equal(bare.status, 201, bare.text);
  assert.equal('service' in bare.body, false);
  const redirect = await call('POST', '/routes', { body: { name: 'moved', paths: ['/old'], redirect: { hostname: 'example.com', statusCode: 301 } } });
  assert.equal(redirect.status, 201, redirect.text);
  const routes = (await call('GET', '/config')).body.config.routes as Record<string, unknown>[];
  assert.deepEqual(routes.map((route) => [route.name, route.service ?? null]), [['r', 'users-v2'], ['nothing', null], ['moved', null]]);
});

test('an unknown service in backends or mirrors is 422 invalid_reference naming backends[j].service or mirrors[j].service, and writes nothing', async () => {
  const { call } = await fresh();
  await withServices(call, 'users');
  const before = await newestVersion(call);
  const cases: [Record<string, unknown>, string, string][] = [
    [{ backends: [{ service: 'users', weight: 1 }, { service: 'ghost', weight: 1 }] }, 'backends[1].service', "service 'ghost' does not exist"],
    [{ service: 'users', mirrors: [{ service: 'users' }, { service: 'phantom', percent: 1 }] }, 'mirrors[1].service', "service 'phantom' does not exist"],
    // The route's own `service` is named first, then its backends, then its mirrors.
    [{ service: 'nope', mirrors: [{ service: 'phantom' }] }, 'service', "service 'nope' does not exist"],
    [{ backends: [{ invalid: true, weight: 1 }, { service: 'ghost' }], mirrors: [{ service: 'phantom' }] }, 'backends[1].service', "service 'ghost' does not exist"],
  ];
  for (const [fields, path, message] of cases) {
    const answer = await call('POST', '/routes', { body: { name: 'r', paths: ['/r'], ...fields } });
    assert.equal(answer.status, 422, `${path}: ${answer.text}`);
    assert.equal(answer.body.error.code, 'invalid_reference');
    assert.deepEqual(answer.body.error.details, [{ path, message }]);
  }
  const stored = await call('POST', '/routes', { body: { name: 'r', service: 'users', paths: ['/r'] } });
  const after = await newestVersion(call);
  assert.equal(after, before + 1, 'only the valid route wrote a version');
  const update = await call('PUT', `/routes/${stored.body.id}`, { body: { name: 'r', paths: ['/r'], backends: [{ service: 'ghost' }] } });
  assert.equal(update.status, 422);
  assert.equal(update.body.error.details[0].path, 'backends[0].service');
  assert.equal((await call('GET', `/routes/${stored.body.id}`)).body.service, 'users', 'the refused PUT changed nothing');
  assert.equal(await newestVersion(call), after);
});

test('PUT /config naming an unknown service in backends or mirrors is 400 naming config.routes[i].backends[j].service', async () => {
  const { call } = await fresh();
  const config = {
    services: [{ name: 'users', url: 'http://users:8080' }],
    routes: [
      { name: 'plain', service: 'users', paths: ['/plain'] },
      { name: 'split', paths: ['/split'], backends: [{ service: 'users' }, { service: 'ghost' }], mirrors: [{ service: 'phantom' }] },
    ],
  };
  const answer = await call('PUT', '/config', { body: { config } });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.error.code, 'validation_failed');
  const paths = (answer.body.error.details as { path: string }[]).map((detail) => detail.path);
  assert.deepEqual(paths, ['config.routes[1].backends[1].service', 'config.routes[1].mirrors[0].service']);
});

test('malformed backends and mirrors are 400 naming the field (both service and invalid, too many, bad weight, 3-decimal percent, unknown field)', async () => {
  const { call } = await fresh();
  await withServices(call, 'users');
  const cases: [Record<string, unknown>, string][] = [
    [{ backends: [{ service: 'users', invalid: true }] }, 'backends[0].service'],
    [{ backends: [{ weight: 1 }] }, 'backends[0].service'],
    [{ backends: Array.from({ length: 17 }, () => ({ service: 'users' })) }, 'backends'],
    [{ backends: [] }, 'backends'],
    [{ backends: [{ service: 'users', weight: -1 }] }, 'backends[0].weight'],
    [{ backends: [{ service: 'users', weight: 1.5 }] }, 'backends[0].weight'],
    [{ backends: [{ service: 'users', weight: 1_000_001 }] }, 'backends[0].weight'],
    [{ backends: [{ service: 'users', color: 'blue' }] }, 'backends[0].color'],
    [{ backends: [{ invalid: true, requestHeaders: { set: { a: 'b' } } }] }, 'backends[0].invalid'],
    [{ service: 'users', backends: [{ service: 'users' }] }, 'backends'],
    [{ service: 'users', mirrors: Array.from({ length: 5 }, () => ({ service: 'users' })) }, 'mirrors'],
    [{ service: 'users', mirrors: [{ service: 'users', percent: 12.345 }] }, 'mirrors[0].percent'],
    [{ service: 'users', mirrors: [{ service: 'users', percent: 101 }] }, 'mirrors[0].percent'],
    [{ service: 'users', mirrors: [{ service: "users'; DROP TABLE routes; --" }] }, 'mirrors[0].service'],
    [{ redirect: { hostname: 'example.com' }, backends: [{ service: 'users' }] }, 'backends'],
    [{ redirect: { hostname: 'example.com' }, mirrors: [{ service: 'users' }] }, 'mirrors'],
  ];
  for (const [fields, path] of cases) {
    const answer = await call('POST', '/routes', { body: { name: 'r', paths: ['/r'], ...fields } });
    assert.equal(answer.status, 400, `${path}: ${answer.text}`);
    assert.ok(
      (answer.body.error.details as { path: string }[]).some((detail) => detail.path === path),
      `${JSON.stringify(fields).slice(0, 80)} names ${path}: ${answer.text}`,
    );
  }
  assert.deepEqual((await call('GET', '/routes')).body.data, []);
});

test('deleting or renaming a service that backends or mirrors name is 409 in_use naming the routes; other changes to it pass', async () => {
  const { call } = await fresh();
  await withServices(call, 'users', 'users-v2', 'shadow', 'spare');
  assert.equal((await call('POST', '/routes', { body: SPLIT })).status, 201);
  assert.equal((await call('POST', '/routes', { body: { name: 'watched', service: 'spare', paths: ['/w'], mirrors: [{ service: 'shadow' }] } })).status, 201);
  const before = await newestVersion(call);

  const deleteV2 = await call('DELETE', '/services/users-v2');
  assert.equal(deleteV2.status, 409, deleteV2.text);
  assert.equal(deleteV2.body.error.code, 'in_use');
  assert.match(deleteV2.body.error.message, /service 'users-v2' is still named by routes 'split'/);
  const deleteShadow = await call('DELETE', '/services/shadow');
  assert.equal(deleteShadow.status, 409);
  assert.match(deleteShadow.body.error.message, /routes 'split', 'watched'/);
  // Named through `service` (the foreign key): refused as before, now naming the route.
  const deleteSpare = await call('DELETE', '/services/spare');
  assert.equal(deleteSpare.status, 409);
  assert.match(deleteSpare.body.error.message, /routes 'watched'/);

  const renameUsers = await call('PUT', '/services/users', { body: { name: 'people', url: 'http://users:8080' } });
  assert.equal(renameUsers.status, 409, renameUsers.text);
  assert.equal(renameUsers.body.error.code, 'in_use');
  assert.match(renameUsers.body.error.message, /service 'users' is still named by routes 'split'/);
  const renameShadow = await call('PUT', '/services/shadow', { body: { name: 'shade', url: 'http://shadow:8080' } });
  assert.equal(renameShadow.status, 409);
  assert.equal(await newestVersion(call), before, 'nothing was written');

  // The same name with new settings is no rename; a service only `service` names still follows a rename.
  const retuned = await call('PUT', '/services/users', { body: { name: 'users', url: 'http://users:9090', retries: 0 } });
  assert.equal(retuned.status, 200, retuned.text);
  const renameSpare = await call('PUT', '/services/spare', { body: { name: 'spare-2', url: 'http://spare:8080' } });
  assert.equal(renameSpare.status, 200, renameSpare.text);
  assert.equal((await call('GET', '/routes/watched')).body.service, 'spare-2');

  // Once no route names it, it goes.
  assert.equal((await call('DELETE', '/routes/split')).status, 204);
  assert.equal((await call('DELETE', '/services/users-v2')).status, 204);
  const config = (await call('GET', '/config')).body.config;
  assert.equal(validateGatewayConfig(config).ok, true);
});

test('PUT /config that drops a service still named by backends or mirrors is refused naming the reference, and keeps the service', async () => {
  const { call } = await fresh();
  const services = [
    { name: 'users', url: 'http://users:8080' },
    { name: 'users-v2', url: 'http://users-v2:8080' },
    { name: 'shadow', url: 'http://shadow:8080' },
  ];
  const routes = [{ name: 'split', paths: ['/users'], backends: [{ service: 'users' }, { service: 'users-v2' }], mirrors: [{ service: 'shadow' }] }];
  assert.equal((await call('PUT', '/config', { body: { config: { services, routes } } })).status, 200);
  for (const dropped of ['users-v2', 'shadow']) {
    const answer = await call('PUT', '/config', { body: { config: { services: services.filter((s) => s.name !== dropped), routes } } });
    assert.equal(answer.status, 400, answer.text);
    const path = dropped === 'shadow' ? 'config.routes[0].mirrors[0].service' : 'config.routes[0].backends[1].service';
    assert.deepEqual((answer.body.error.details as { path: string }[]).map((detail) => detail.path), [path]);
  }
  assert.deepEqual(((await call('GET', '/services')).body.data as { name: string }[]).map((s) => s.name), ['shadow', 'users', 'users-v2']);
  // Dropping the route with them is fine.
  const both = await call('PUT', '/config', { body: { config: { services: services.slice(0, 1), routes: [] } } });
  assert.equal(both.status, 200, both.text);
});

test('route conflicts: routes without a service conflict and coexist by their match alone', async () => {
  const { call } = await fresh();
  await withServices(call, 'users', 'users-v2');
  assert.equal((await call('POST', '/routes', { body: { name: 'a', paths: ['/x'], backends: [{ service: 'users' }] } })).status, 201);
  const clash = await call('POST', '/routes', { body: { name: 'b', paths: ['/x'], backends: [{ service: 'users-v2' }] } });
  assert.equal(clash.status, 409, clash.text);
  assert.equal(clash.body.error.code, 'conflict');
  assert.match(clash.body.error.message, /route 'a'/);
  const clashWithService = await call('POST', '/routes', { body: { name: 'c', service: 'users', paths: ['/x'] } });
  assert.equal(clashWithService.status, 409);
  const bare = await call('POST', '/routes', { body: { name: 'd', paths: ['/x'] } });
  assert.equal(bare.status, 409, 'a route with neither service nor backends still claims its requests');
  assert.equal((await call('POST', '/routes', { body: { name: 'e', paths: ['/y'] } })).status, 201);
  assert.equal((await call('POST', '/routes', { body: { name: 'f', paths: ['/x'], methods: ['GET'], backends: [{ service: 'users-v2' }] } })).status, 201);
  const inConfig = await call('PUT', '/config', {
    body: { config: { services: [{ name: 'users', url: 'http://u:1' }], routes: [{ name: 'p', paths: ['/z'] }, { name: 'q', paths: ['/z'], backends: [{ service: 'users' }] }] } },
  });
  assert.equal(inConfig.status, 409, inConfig.text);
  assert.equal(inConfig.body.error.details[0].path, 'config.routes[1].paths');
});

test('plan limits count routes and services as before: backends and mirrors add nothing', async () => {
  const { call } = await fresh();
  await withServices(call, 'users', 'users-v2');
  const { rows } = await db.pool.query("SELECT max_routes FROM public.plans WHERE name = 'free'");
  assert.equal(rows[0].max_routes, 10, 'a new tenant is on the free plan, which limits routes');
  // 10 routes with 16 backends and a mirror each: 170 references to 2 services, all within the plan.
  for (let i = 0; i < 10; i++) {
    const backends = Array.from({ length: 16 }, (_, j) => ({ service: j % 2 === 0 ? 'users' : 'users-v2' }));
    const answer = await call('POST', '/routes', { body: { name: `r${i}`, paths: [`/r${i}`], backends, mirrors: [{ service: 'users' }] } });
    assert.equal(answer.status, 201, answer.text);
  }
  const over = await call('POST', '/routes', { body: { name: 'over', paths: ['/over'], backends: [{ service: 'users' }] } });
  assert.equal(over.status, 422);
  assert.equal(over.body.error.code, 'plan_limit_exceeded');
});

test('in_use names at most 5 routes, in config order, however many name the service', async () => {
  const { call } = await fresh();
  await withServices(call, 'users', 'shadow');
  for (let i = 0; i < 8; i++) {
    const answer = await call('POST', '/routes', { body: { name: `m${i}`, service: 'users', paths: [`/m${i}`], mirrors: [{ service: 'shadow', percent: 1 }] } });
    assert.equal(answer.status, 201, answer.text);
  }
  const refused = await call('DELETE', '/services/shadow');
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.message, "service 'shadow' is still named by routes 'm0', 'm1', 'm2', 'm3', 'm4'; change them first");
});
