import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerResource, RouteResource, SecretResource, TenantResource } from '../../kube/resources.js';
import type { Pool } from 'pg';
import { cachesOf } from '../../testing/caches.js';
import type { Informers } from '../context.js';
import { ConfigSyncer, desiredTenantConfig } from './tenant-config.js';

const tenant: TenantResource = {
  metadata: { name: 'acme', namespace: 'shop', uid: 'u1' },
  spec: { displayName: 'Acme', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' },
};
const route = (name: string, namespace: string, tenantName: string, extra: Partial<RouteResource['metadata']> = {}): RouteResource => ({
  metadata: { name, namespace, ...extra },
  spec: { tenantRef: { name: tenantName }, upstream: { url: 'http://up:80' }, match: { paths: ['/x'] } },
});
const consumer = (name: string, username: string, created: string): ConsumerResource => ({
  metadata: { name, namespace: 'shop', creationTimestamp: created },
  spec: { tenantRef: { name: 'acme' }, username, jwtSubject: name },
});
const noSecrets = (): SecretResource | undefined => undefined;

test('a tenant\'s desired config holds only its own valid, living Routes of its namespace', () => {
  const { desired, problems } = desiredTenantConfig(
    tenant,
    [
      route('mine', 'shop', 'acme'),
      route('other-tenant', 'shop', 'globex'),
      route('other-namespace', 'elsewhere', 'acme'),
      route('deleting', 'shop', 'acme', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      { ...route('invalid', 'shop', 'acme'), spec: { ...route('invalid', 'shop', 'acme').spec, match: { paths: ['/a/*/b'] } } },
    ],
    [],
    noSecrets,
  );
  assert.deepEqual([...desired.routes.keys()], ['k8s.shop.mine']);
  assert.deepEqual([...desired.services.keys()], ['k8s.shop.mine']);
  assert.equal(desired.routes.get('k8s.shop.mine')?.owner, 'shop/mine');
  assert.equal(problems.size, 0, 'an invalid Route reports on its own status, not here');
});

test('two Consumers with one username: the older keeps it, the newer is refused with Conflict', () => {
  const { desired, problems } = desiredTenantConfig(
    tenant,
    [],
    [consumer('newer', 'app', '2026-02-01T00:00:00Z'), consumer('older', 'app', '2026-01-01T00:00:00Z')],
    noSecrets,
  );
  assert.equal(desired.consumers.get('app')?.owner, 'shop/older');
  assert.equal(problems.get('shop/newer')?.reason, 'Conflict');
  assert.match(problems.get('shop/newer')?.message ?? '', /already used by Consumer "older"/);
});

test('two Routes claiming the same requests: the older stays, the newer is Accepted=False/Conflicted naming it', () => {
  const at = (name: string, created: string, paths: string[], methods?: string[]): RouteResource => ({
    ...route(name, 'shop', 'acme', { creationTimestamp: created }),
    spec: { tenantRef: { name: 'acme' }, upstream: { url: 'http://up:80' }, match: { paths, ...(methods === undefined ? {} : { methods }) } },
  });
  const { desired, problems } = desiredTenantConfig(
    tenant,
    [
      at('newer', '2026-02-01T00:00:00Z', ['/users/:name'], ['GET']),
      at('older', '2026-01-01T00:00:00Z', ['/users/:id'], ['GET', 'PUT']),
      // Same second as `newer`: the name decides, and losing to a loser loses nothing.
      at('b-same-second', '2026-02-01T00:00:00Z', ['/users/:x'], ['DELETE']),
      at('a-same-second', '2026-02-01T00:00:00Z', ['/users/:x'], ['DELETE', 'GET']),
      at('apart', '2026-03-01T00:00:00Z', ['/users/:id'], ['POST']),
    ],
    [],
    noSecrets,
  );
  assert.deepEqual([...desired.routes.keys()].sort(), ['k8s.shop.apart', 'k8s.shop.b-same-second', 'k8s.shop.older']);
  assert.deepEqual([...desired.services.keys()].sort(), ['k8s.shop.apart', 'k8s.shop.b-same-second', 'k8s.shop.older']);
  assert.equal(problems.get('shop/newer')?.reason, 'Conflicted');
  assert.match(problems.get('shop/newer')?.message ?? '', /^Route "older" is older and claims the same requests \(any host, path \/users\/:name, GET\)/);
  assert.match(problems.get('shop/a-same-second')?.message ?? '', /^Route "older" /);
  assert.equal(problems.has('shop/b-same-second'), false);
});

test('Route conflicts take in pathMatches and header and query matches: the same typed path and conditions conflict, other conditions do not', () => {
  const at = (name: string, created: string, match: RouteResource['spec']['match']): RouteResource => ({
    ...route(name, 'shop', 'acme', { creationTimestamp: created }),
    spec: { tenantRef: { name: 'acme' }, upstream: { url: 'http://up:80' }, match },
  });
  const canary = [{ name: 'X-Env', value: 'canary', type: 'Exact' }];
  const { desired, problems } = desiredTenantConfig(
    tenant,
    [
      at('exact', '2026-01-01T00:00:00Z', { pathMatches: [{ type: 'Exact', value: '/v1/items' }] }),
      // The same Exact path in another field's form is the same claim.
      at('exact-again', '2026-01-02T00:00:00Z', { pathMatches: [{ type: 'Exact', value: '/v1/items' }], query: [] }),
      at('canary', '2026-01-03T00:00:00Z', { pathMatches: [{ type: 'Exact', value: '/v1/items' }], headers: canary }),
      // Header names ignore case: this one claims what `canary` claims.
      at('canary-again', '2026-01-04T00:00:00Z', { pathMatches: [{ type: 'Exact', value: '/v1/items' }], headers: [{ name: 'x-env', value: 'canary', type: 'Exact' }] }),
      at('debug', '2026-01-05T00:00:00Z', { pathMatches: [{ type: 'Exact', value: '/v1/items' }], query: [{ name: 'debug', value: '1', type: 'Exact' }] }),
      at('regex', '2026-01-06T00:00:00Z', { pathMatches: [{ type: 'RegularExpression', value: '/v[0-9]+/.*' }] }),
      at('regex-again', '2026-01-07T00:00:00Z', { paths: ['/other'], pathMatches: [{ type: 'RegularExpression', value: '/v[0-9]+/.*' }] }),
    ],
    [],
    noSecrets,
  );
  assert.deepEqual([...desired.routes.keys()].sort(), ['k8s.shop.canary', 'k8s.shop.debug', 'k8s.shop.exact', 'k8s.shop.regex']);
  assert.equal(problems.get('shop/exact-again')?.reason, 'Conflicted');
  assert.match(problems.get('shop/exact-again')?.message ?? '', /^Route "exact" is older/);
  assert.match(problems.get('shop/canary-again')?.message ?? '', /^Route "canary" is older/);
  assert.match(problems.get('shop/regex-again')?.message ?? '', /^Route "regex" is older/);
});

test('a sync waits for the caches\' first lists: it never computes a config over caches still filling', async () => {
  let synced = false;
  let looked = 0;
  const caches = cachesOf({});
  const informers = { ...caches, tenants: { get: () => ((looked += 1), undefined), list: () => [] } } as unknown as Informers;
  const syncer = new ConfigSyncer(null as unknown as Pool, informers, undefined, undefined, () => synced);
  const result = syncer.sync('shop/acme');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(looked, 0, 'nothing read before the caches synced');
  synced = true;
  assert.equal(await result, null);
  assert.equal(looked, 1);
});
