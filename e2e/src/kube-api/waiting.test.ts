import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApi } from './api.js';
import { waitForObject, waitForWatch } from './waiting.js';
import type { KubeObject } from './object.js';

const writer = { manager: 'test' };
const isReady = (o: KubeObject | undefined): boolean => (o?.data as { ready?: string } | undefined)?.ready === 'yes';

test('waitForObject resolves at once when the predicate already holds, and otherwise on the change that makes it hold', async () => {
  const api = new KubeApi();
  const configmaps = api.resourceType('', 'v1', 'configmaps');
  api.create(configmaps, 'default', { metadata: { name: 'now' }, data: { ready: 'yes' } }, writer);
  assert.equal((await waitForObject(api, configmaps, 'default', 'now', isReady, 1000))?.metadata.name, 'now');

  api.create(configmaps, 'default', { metadata: { name: 'later' }, data: { ready: 'no' } }, writer);
  const waiting = waitForObject(api, configmaps, 'default', 'later', isReady, 30_000);
  api.patch(configmaps, 'default', 'later', 'merge', JSON.stringify({ data: { ready: 'yes' } }), writer);
  assert.equal(isReady(await waiting), true);
});

test('waitForObject sees a deletion as undefined, and rejects when its time is up', async () => {
  const api = new KubeApi();
  const configmaps = api.resourceType('', 'v1', 'configmaps');
  api.create(configmaps, 'default', { metadata: { name: 'doomed' } }, writer);
  const gone = waitForObject(api, configmaps, 'default', 'doomed', (o) => o === undefined, 30_000);
  api.delete(configmaps, 'default', 'doomed', {});
  assert.equal(await gone, undefined);
  await assert.rejects(waitForObject(api, configmaps, 'default', 'never', (o) => o !== undefined, 20), /timed out after 20 ms waiting for configmaps default\/never/);
  assert.equal(api.store.openWatches, 0, 'settled waits leave no watch behind');
});

test('waitForWatch resolves when a client starts watching the resource', async () => {
  const api = new KubeApi();
  const configmaps = api.resourceType('', 'v1', 'configmaps');
  const watched = waitForWatch(() => api.store.openWatchesOf('/configmaps'), (l) => api.store.onWatchOpened(l), '/configmaps', 30_000);
  api.watch(api.resourceType('', 'v1', 'secrets'), '', {}, { event: () => undefined, close: () => undefined });
  api.watch(configmaps, '', {}, { event: () => undefined, close: () => undefined });
  await watched;
  assert.equal(api.store.openWatchesOf('/configmaps'), 1);
});
