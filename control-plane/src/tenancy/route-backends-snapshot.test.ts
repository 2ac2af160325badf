import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import type { z } from 'zod';
import { canonicalConfig, configHash, validateGatewayConfig } from '@novagate/gateway/config';
import { helloGateway } from '../testing/gateway-client.js';
import { registerTenantApi } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';
import { quotedTenantSchema } from './schema-name.js';

const { server, db, ready } = withTestServer();

/** The gateway schema of commit 523741f (before issue 15), kept by the gateway as a test fixture. */
let schemaAt523741f: z.ZodType;

before(async () => {
  await ready;
  const fixture = new URL('../../../gateway/src/config/testdata/schema-523741f.ts.fixture', import.meta.url);
  const source = readFileSync(fixture, 'utf8').replace("from 'zod'", `from '${import.meta.resolve('zod')}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'novagate-cp-schema-')), 'schema.ts');
  writeFileSync(file, source);
  schemaAt523741f = ((await import(pathToFileURL(file).href)) as { gatewayConfigSchema: z.ZodType }).gatewayConfigSchema;
});

/** A tenant's config of the kind every tenant had before issue 15 (the gateway's listeners-schema test uses it too). */
const EXISTING = {
  services: [{ name: 'users', url: 'http://users:8080', timeoutMs: 5000 }],
  routes: [
    { name: 'get-user', service: 'users', paths: ['/users/:id', '/v1/*'], methods: ['GET'], hosts: ['api.example.com'], auth: 'jwt', rateLimit: { limit: 100, windowSeconds: 60 } },
    { name: 'open', service: 'users', paths: ['/'] },
  ],
  consumers: [{ username: 'mobile-app', apiKeyHashes: ['a'.repeat(64)], jwtSubject: 'mobile-app', rateLimit: { limit: 1000, windowSeconds: 60 } }],
};
/** canonicalConfig(EXISTING).hash as the 523741f gateway computed it. */
const EXISTING_HASH = '896e6f6de54153604fcaa0efd518a3a7d3ff5ecf9242ee0c0f572e2204b0377d';

async function newestStored(tenantId: string): Promise<{ version: number; hash: string; snapshot: unknown }> {
  const { rows } = await db.pool.query(`SELECT version, hash, snapshot FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version DESC LIMIT 1`);
  return { version: Number(rows[0].version), hash: rows[0].hash, snapshot: rows[0].snapshot };
}

test('a tenant using none of the new fields stores the snapshot the 523741f schema makes: same text, same hash', async () => {
  const { tenant, call } = await registerTenantApi(server, 'Unchanged');
  const put = await call('PUT', '/config', { body: { config: EXISTING } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.hash, EXISTING_HASH);
  const stored = await newestStored(tenant.id);
  const old = canonicalConfig(schemaAt523741f.parse(EXISTING));
  assert.equal(canonicalConfig(stored.snapshot as never).json, old.json);
  assert.equal(stored.hash, old.hash);
  assert.equal(schemaAt523741f.safeParse(stored.snapshot).success, true, 'a gateway not yet upgraded accepts it');
  assert.doesNotMatch(JSON.stringify(stored.snapshot), /backends|mirrors/);
});

test('a tenant with backends and mirrors and a route without service stores a snapshot the new schema accepts; gateways get it', async () => {
  const { tenant, call } = await registerTenantApi(server, 'Split');
  const config = {
    services: [
      { name: 'users', url: 'http://users:8080' },
      { name: 'users-v2', url: 'http://users-v2:8080' },
      { name: 'shadow', url: 'http://shadow:8080' },
    ],
    routes: [
      { name: 'split', paths: ['/users'], backends: [{ service: 'users', weight: 9 }, { service: 'users-v2' }, { invalid: true, weight: 0 }], mirrors: [{ service: 'shadow', percent: 0.25 }] },
      { name: 'plain', service: 'users', paths: ['/plain'], mirrors: [{ service: 'shadow' }] },
      { name: 'nothing', paths: ['/nothing'] },
    ],
    consumers: [],
  };
  const put = await call('PUT', '/config', { body: { config } });
  assert.equal(put.status, 200, put.text);
  const stored = await newestStored(tenant.id);
  const validated = validateGatewayConfig(stored.snapshot);
  assert.ok(validated.ok, JSON.stringify(validated));
  assert.equal(configHash(validated.value), stored.hash, 'the gateway hashes what it validates to the version hash');
  const routes = (stored.snapshot as { routes: Record<string, unknown>[] }).routes;
  assert.deepEqual(routes.map((route) => Object.hasOwn(route, 'service')), [false, true, false], 'service left out, never null');
  assert.deepEqual(routes[0]?.backends, [{ service: 'users', weight: 9 }, { service: 'users-v2', weight: 1 }, { invalid: true, weight: 0 }]);
  assert.deepEqual(routes[0]?.mirrors, [{ service: 'shadow', percent: 0.25 }]);

  const gateway = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId: 'node-split' });
  try {
    const frame = await gateway.nextConfig((received) => received.version === stored.version);
    assert.equal(frame.hash, stored.hash);
    const received = validateGatewayConfig(frame.config);
    assert.ok(received.ok);
    assert.equal(configHash(received.value), stored.hash);

    // Telemetry about the service-less route goes where any other does; nothing looks the route's service up.
    gateway.send({ type: 'logs', entries: [{ requestId: 'req-1', method: 'GET', pathTemplate: '/nothing', status: 500, latencyMs: 1, route: 'nothing', time: new Date().toISOString() }] });
    gateway.send({ type: 'errors', events: [{ code: 'upstream_error', service: '', count: 1, time: new Date().toISOString() }] });
    let logs: { route: string; status: number }[] = [];
    let errors: { service: string }[] = [];
    for (let i = 0; i < 200 && (logs.length === 0 || errors.length === 0); i++) {
      logs = (await call('GET', '/request-logs?route=nothing')).body.data ?? [];
      errors = (await call('GET', '/errors')).body.data ?? [];
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(logs.map((entry) => [entry.route, entry.status]), [['nothing', 500]]);
    assert.deepEqual(errors.map((event) => event.service), ['']);
    const gateways = await call('GET', '/gateways');
    assert.equal(gateways.status, 200, gateways.text);
  } finally {
    gateway.close();
  }
});
