import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startKubeApiServer, type KubeApiServer } from '../index.js';
import { tenant, tenantCrd } from '../test-fixtures.js';
import type { KubeObject } from '../object.js';

let server: KubeApiServer;

before(async () => {
  server = await startKubeApiServer({ bookmarkIntervalMs: 50 });
});
after(async () => {
  await server.stop();
});

interface Reply {
  status: number;
  contentType: string;
  body: unknown;
}

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(`${server.url}${path}`, { method, ca: server.caPem, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: raw.startsWith('{') ? JSON.parse(raw) : raw });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string };
}

/** Reads a watch stream until `stop` says enough (or the server ends it); bounded by `maxEvents`. */
function watch(path: string, stop: (events: WatchEvent[]) => boolean, maxEvents = 100): Promise<{ events: WatchEvent[]; endedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    let buffer = '';
    const req = request(`${server.url}${path}`, { ca: server.caPem, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
          buffer = buffer.slice(newline + 1);
          if (stop(events) || events.length >= maxEvents) {
            req.destroy();
            resolve({ events, endedByServer: false });
            return;
          }
        }
      });
      res.on('end', () => resolve({ events, endedByServer: true }));
    });
    req.on('error', (error) => (events.length > 0 ? resolve({ events, endedByServer: false }) : reject(error)));
    req.end();
  });
}

const tenantsPath = '/apis/novagate.dev/v1alpha1/namespaces/default/tenants';

test('a request without the kubeconfig token is 401 Unauthorized', async () => {
  const reply = await call('GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer wrong' });
  assert.equal(reply.status, 401);
  assert.equal((reply.body as { reason: string }).reason, 'Unauthorized');
});

test('discovery lists the core and apiextensions groups, and a CRD group once the CRD exists', async () => {
  const groups = (await call('GET', '/apis')).body as { groups: Array<{ name: string }> };
  assert.ok(groups.groups.some((g) => g.name === 'coordination.k8s.io'));
  assert.ok(!groups.groups.some((g) => g.name === 'novagate.dev'));
  assert.equal((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', tenantCrd())).status, 201);
  const resources = (await call('GET', '/apis/novagate.dev/v1alpha1')).body as { resources: Array<{ name: string; namespaced: boolean }> };
  assert.deepEqual(resources.resources.map((r) => [r.name, r.namespaced]), [['tenants', true], ['tenants/status', true]]);
  const aggregated = await call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  assert.equal(aggregated.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const items = (aggregated.body as { items: Array<{ metadata: { name: string } }> }).items;
  assert.ok(items.some((i) => i.metadata.name === 'novagate.dev'));
});

test('errors are Status objects with the reason and code of the real server', async () => {
  const missing = await call('GET', `${tenantsPath}/nope`);
  assert.deepEqual([missing.status, (missing.body as { kind: string; reason: string }).kind, (missing.body as { reason: string }).reason], [404, 'Status', 'NotFound']);
  assert.equal((await call('POST', tenantsPath, tenant('dup'))).status, 201);
  const dup = await call('POST', tenantsPath, tenant('dup'));
  assert.deepEqual([dup.status, (dup.body as { reason: string }).reason], [409, 'AlreadyExists']);
  const bad = await call('POST', tenantsPath, { ...tenant('bad'), spec: { plan: 'gold' } });
  assert.equal(bad.status, 422);
  assert.deepEqual((bad.body as { details: { causes: Array<{ field: string }> } }).details.causes.map((c) => c.field).sort(), ['spec.displayName', 'spec.plan']);
  const notAllowed = await call('POST', '/apis/novagate.dev/v1alpha1/tenants', tenant('x'));
  assert.deepEqual([notAllowed.status, (notAllowed.body as { reason: string }).reason], [405, 'MethodNotAllowed']);
  const unsupported = await call('PATCH', `${tenantsPath}/dup`, '{}', { 'content-type': 'text/plain' });
  assert.equal(unsupported.status, 415);
});

test('DELETE answers a built-in with a Success Status, and an object held by a finalizer with 202 and the object', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'doomed' } })).status, 201);
  const deleted = await call('DELETE', '/api/v1/namespaces/default/configmaps/doomed');
  assert.deepEqual([deleted.status, (deleted.body as { kind: string; status: string }).kind, (deleted.body as { status: string }).status], [200, 'Status', 'Success']);
  await call('POST', tenantsPath, tenant('held', {}, { finalizers: ['novagate.dev/cleanup'] }));
  const held = await call('DELETE', tenantsPath + '/held', { propagationPolicy: 'Background' });
  assert.equal(held.status, 202);
  assert.ok((held.body as KubeObject).metadata.deletionTimestamp);
  const conflictPrecondition = await call('DELETE', tenantsPath + '/held', { preconditions: { uid: 'someone-else' } });
  assert.deepEqual([conflictPrecondition.status, (conflictPrecondition.body as { reason: string }).reason], [409, 'Conflict']);
});

test('a watch streams ADDED, MODIFIED and DELETED events in order, one JSON object per line', async () => {
  const start = String(server.api.store.revision);
  const done = watch(`${tenantsPath}?watch=true&resourceVersion=${start}`, (events) => events.length === 3);
  await call('POST', tenantsPath, tenant('w1'));
  await call('PATCH', `${tenantsPath}/w1`, { spec: { plan: 'pro' } }, { 'content-type': 'application/merge-patch+json' });
  await call('DELETE', `${tenantsPath}/w1`);
  const { events } = await done;
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w1'], ['MODIFIED', 'w1'], ['DELETED', 'w1']]);
  const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(versions[0]! < versions[1]! && versions[1]! < versions[2]!);
});

test('a watch that allows bookmarks gets BOOKMARK events carrying the current resourceVersion', async () => {
  const { events } = await watch(`${tenantsPath}?watch=true&allowWatchBookmarks=true&resourceVersion=${server.api.store.revision}`, (e) => e.some((x) => x.type === 'BOOKMARK'));
  const bookmark = events.find((e) => e.type === 'BOOKMARK');
  assert.equal(bookmark?.object.kind, 'Tenant');
  assert.equal(bookmark?.object.metadata.resourceVersion, String(server.api.store.revision));
});

test('the server ends a watch after timeoutSeconds', async () => {
  const { endedByServer } = await watch(`${tenantsPath}?watch=true&timeoutSeconds=1&resourceVersion=${server.api.store.revision}`, () => false);
  assert.equal(endedByServer, true);
});

test('after compaction open watches are dropped, an old resourceVersion gets a 410 Expired ERROR event, and a relist recovers', async () => {
  await call('POST', tenantsPath, tenant('before-compaction'));
  const list = (await call('GET', tenantsPath)).body as { metadata: { resourceVersion: string } };
  const open = watch(`${tenantsPath}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, () => false);
  await waitFor(() => server.openWatches() > 0);
  server.compact();
  assert.equal((await open).endedByServer, true);
  await call('POST', tenantsPath, tenant('after-compaction'));
  const { events } = await watch(`${tenantsPath}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (e) => e.length === 1);
  assert.equal(events[0]?.type, 'ERROR');
  assert.deepEqual([events[0]?.object.code, events[0]?.object.reason], [410, 'Expired']);
  const relist = (await call('GET', tenantsPath)).body as { items: KubeObject[]; metadata: { resourceVersion: string } };
  assert.ok(relist.items.some((o) => o.metadata.name === 'after-compaction'));
  const resumed = watch(`${tenantsPath}?watch=true&resourceVersion=${relist.metadata.resourceVersion}`, (e) => e.length === 1);
  await waitFor(() => server.openWatches() > 0);
  await call('POST', tenantsPath, tenant('after-relist'));
  assert.deepEqual((await resumed).events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'after-relist']]);
});

test('a list answers with Table rows when kubectl asks for them', async () => {
  const reply = await call('GET', tenantsPath, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  const table = reply.body as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { metadata: { name: string } } }> };
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.columnDefinitions.map((c) => c.name), ['Name', 'Plan', 'Ready', 'Age']);
  const dup = table.rows.find((r) => r.object.metadata.name === 'dup');
  assert.deepEqual(dup?.cells.slice(0, 3), ['dup', 'free', '<none>']);
});

/** Polls a condition on the event loop, bounded in attempts. */
async function waitFor(condition: () => boolean, attempts = 3000): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('condition not met');
}
