import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './resources.js';
import { Informer, type ListResult, type OpenWatch } from './watch.js';

const obj = (name: string, resourceVersion: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion } });

/** A fake API: a list result to hand out and the watches opened, each able to emit events or end. */
function fakeApi(initial: ListResult<KubeObject>) {
  const state = {
    listResult: initial,
    lists: 0,
    watches: [] as { resourceVersion: string; emit: (type: string, object: unknown) => void; end: (error: unknown) => void; aborted: boolean }[],
  };
  const list = async () => {
    state.lists += 1;
    return state.listResult;
  };
  const watch: OpenWatch = async (query, onEvent, onDone) => {
    const entry = { resourceVersion: query.resourceVersion, emit: onEvent, end: onDone, aborted: false };
    state.watches.push(entry);
    return { abort: () => (entry.aborted = true) };
  };
  return { state, list, watch };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('the watch starts from the list\'s resourceVersion and resumes from the last one seen, bookmarks included', async () => {
  const api = fakeApi({ items: [obj('a', '5')], resourceVersion: '10' });
  const changes: string[] = [];
  const informer = new Informer({
    kind: 'things',
    list: api.list,
    watch: api.watch,
    onChange: (type, o) => changes.push(`${type} ${o.metadata.name}`),
    retryDelayMs: () => 1,
  });
  informer.start();
  await until(() => api.state.watches.length === 1, 'the first watch');
  assert.equal(api.state.watches[0]?.resourceVersion, '10');
  api.state.watches[0]?.emit('ADDED', obj('b', '11'));
  api.state.watches[0]?.emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
  api.state.watches[0]?.end(null); // the server's timeout
  await until(() => api.state.watches.length === 2, 'the resumed watch');
  informer.stop();
  assert.equal(api.state.watches[1]?.resourceVersion, '15');
  assert.equal(api.state.lists, 1, 'a closed watch is resumed, not relisted');
  assert.deepEqual(changes, ['ADDED a', 'ADDED b']);
  assert.deepEqual(informer.list().map((o) => o.metadata.name).sort(), ['a', 'b']);
});

test('a 410 Gone makes the informer relist and report deletions it missed', async () => {
  const api = fakeApi({ items: [obj('a', '5'), obj('b', '6')], resourceVersion: '10' });
  const changes: string[] = [];
  const informer = new Informer({ kind: 'things', list: api.list, watch: api.watch, onChange: (type, o) => changes.push(`${type} ${o.metadata.name}`) });
  informer.start();
  await until(() => api.state.watches.length === 1, 'the first watch');
  api.state.listResult = { items: [obj('a', '20'), obj('c', '21')], resourceVersion: '30' };
  api.state.watches[0]?.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
  await until(() => api.state.watches.length === 2, 'the watch after the relist');
  informer.stop();
  assert.equal(api.state.lists, 2);
  assert.equal(api.state.watches[1]?.resourceVersion, '30');
  assert.deepEqual(changes, ['ADDED a', 'ADDED b', 'DELETED b', 'MODIFIED a', 'ADDED c']);
});

test('a watch that stays silent past its timeout is abandoned and the informer relists', async () => {
  const api = fakeApi({ items: [], resourceVersion: '1' });
  const relists: string[] = [];
  const informer = new Informer({
    kind: 'things',
    list: api.list,
    watch: api.watch,
    onChange: () => undefined,
    silenceTimeoutMs: 60,
    onRelist: (reason) => relists.push(reason),
  });
  informer.start();
  await until(() => api.state.lists >= 2, 'the watchdog relist');
  informer.stop();
  assert.ok(api.state.watches[0]?.aborted, 'the silent watch was aborted');
  assert.match(relists[0] ?? '', /silent/);
});

test('a failed list is retried until it succeeds, and synced resolves then', async () => {
  const api = fakeApi({ items: [obj('a', '1')], resourceVersion: '2' });
  let failures = 2;
  const informer = new Informer({
    kind: 'things',
    list: async () => {
      if (failures-- > 0) throw new Error('connection refused');
      return api.list();
    },
    watch: api.watch,
    onChange: () => undefined,
    retryDelayMs: () => 1,
  });
  const keepAlive = setInterval(() => undefined, 1_000); // the informer's own timers never hold the process
  informer.start();
  await informer.synced;
  informer.stop();
  clearInterval(keepAlive);
  assert.equal(informer.get('ns/a')?.metadata.name, 'a');
});
