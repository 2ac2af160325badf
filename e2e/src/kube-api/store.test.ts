import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { Store, type StoredEvent } from './store.js';

const cm = (name: string, data: string) => ({ metadata: { name, namespace: 'ns' }, data: { v: data } });

test('every write takes the next value of one global resourceVersion counter', () => {
  const store = new Store(100);
  const a = store.commit('/configmaps', 'ADDED', cm('a', '1'));
  const b = store.commit('/secrets', 'ADDED', cm('b', '1'));
  const a2 = store.commit('/configmaps', 'MODIFIED', cm('a', '2'));
  assert.deepEqual([a.metadata.resourceVersion, b.metadata.resourceVersion, a2.metadata.resourceVersion], ['101', '102', '103']);
  assert.equal(store.revision, 103);
});

test('listAt rolls the state back to an older resourceVersion, and a compacted one is 410 Gone', () => {
  const store = new Store(0);
  store.commit('/configmaps', 'ADDED', cm('a', '1'));
  store.commit('/configmaps', 'ADDED', cm('b', '1'));
  const at2 = store.revision;
  store.commit('/configmaps', 'MODIFIED', cm('a', '2'));
  store.commit('/configmaps', 'DELETED', cm('b', '1'));
  assert.deepEqual(store.listAt('/configmaps', 'ns', at2).map((o) => [o.metadata.name, o.data]), [['a', { v: '1' }], ['b', { v: '1' }]]);
  assert.deepEqual(store.list('/configmaps', 'ns').map((o) => o.metadata.name), ['a']);
  store.compact();
  assert.throws(() => store.listAt('/configmaps', 'ns', at2), (e: unknown) => e instanceof ApiError && e.code === 410 && e.reason === 'Expired');
});

test('a watch replays the history after its resourceVersion, then gets new events in order', () => {
  const store = new Store(0);
  store.commit('/configmaps', 'ADDED', cm('a', '1'));
  const from = store.revision;
  store.commit('/configmaps', 'MODIFIED', cm('a', '2'));
  store.commit('/secrets', 'ADDED', cm('s', '1'));
  const seen: StoredEvent[] = [];
  store.watch({ storageKey: '/configmaps', namespace: '', onEvent: (e) => seen.push(e), onClose: () => undefined }, from);
  store.commit('/configmaps', 'DELETED', cm('a', '2'));
  assert.deepEqual(seen.map((e) => [e.type, e.resourceVersion]), [['MODIFIED', 2], ['DELETED', 4]]);
});

test('compaction closes open watches and makes older resourceVersions 410 Gone', () => {
  const store = new Store(0);
  store.commit('/configmaps', 'ADDED', cm('a', '1'));
  const held = store.revision;
  let closed = 0;
  store.watch({ storageKey: '/configmaps', namespace: '', onEvent: () => undefined, onClose: () => (closed += 1) }, 1);
  store.compact();
  assert.equal(closed, 1);
  assert.equal(store.openWatches, 0);
  assert.throws(
    () => store.watch({ storageKey: '/configmaps', namespace: '', onEvent: () => undefined, onClose: () => undefined }, held),
    (e: unknown) => e instanceof ApiError && e.code === 410,
  );
  assert.doesNotThrow(() => store.watch({ storageKey: '/configmaps', namespace: '', onEvent: () => undefined, onClose: () => undefined }, store.revision));
});
