import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffGroups, diffLine, type ConfigDiff } from './config-diff-rows.js';

const none = { added: [], removed: [], changed: [] };

test('each kind that changed is one group with its added, changed and removed names marked +, ~ and -', () => {
  const diff: ConfigDiff = {
    services: { added: [], removed: ['old'], changed: ['users'] },
    routes: { added: ['r1', 'r2'], removed: [], changed: [] },
    consumers: none,
    listeners: none,
    certificates: { added: [], removed: ['www'], changed: [] },
  };
  assert.deepEqual(diffGroups(diff), [
    {
      kind: 'services',
      title: 'Services',
      entries: [
        { change: 'changed', marker: '~', name: 'users' },
        { change: 'removed', marker: '-', name: 'old' },
      ],
    },
    {
      kind: 'routes',
      title: 'Routes',
      entries: [
        { change: 'added', marker: '+', name: 'r1' },
        { change: 'added', marker: '+', name: 'r2' },
      ],
    },
    { kind: 'certificates', title: 'Certificates', entries: [{ change: 'removed', marker: '-', name: 'www' }] },
  ]);
});

test('a diff with no change has no group', () => {
  assert.deepEqual(diffGroups({ services: none, routes: none, consumers: none, listeners: none, certificates: none }), []);
});

test('a history row names each change with its marker, kind by kind', () => {
  const diff: ConfigDiff = {
    services: { added: ['orders'], removed: [], changed: ['users'] },
    routes: { added: [], removed: ['beta'], changed: [] },
    consumers: none,
    listeners: none,
    certificates: none,
  };
  assert.equal(diffLine(diff), 'Services: + orders, ~ users; Routes: - beta');
  assert.equal(diffLine({ services: none, routes: none, consumers: none, listeners: none, certificates: none }), 'No change');
});
