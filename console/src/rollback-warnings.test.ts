import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rollbackWarnings } from './rollback-warnings.js';
import type { ConfigDiff } from './config-diff-rows.js';

const none = { added: [], removed: [], changed: [] };

test('rolling back names the routes that come back and disappear, the certificates restored and the consumers whose keys go back', () => {
  const diff: ConfigDiff = {
    services: none,
    routes: { added: ['orders'], removed: ['beta', 'canary'], changed: [] },
    consumers: { added: [], removed: [], changed: ['partner'] },
    listeners: none,
    certificates: { added: ['www'], removed: [], changed: [] },
  };
  assert.deepEqual(rollbackWarnings(diff, 3), [
    'Routes orders come back: gateways serve them again.',
    'Routes beta, canary disappear: gateways stop serving them.',
    'Consumers partner return to their settings and keys of version 3: keys generated since are revoked, keys revoked since stay revoked.',
    'Certificates www are restored with their keys of version 3.',
  ]);
});

test('objects Kubernetes manages are left out of the changes and named once as staying as they are', () => {
  const diff: ConfigDiff = {
    services: { added: ['k8s.shop.web'], removed: ['users'], changed: [] },
    routes: { added: [], removed: ['gwapi.shop.http'], changed: [] },
    consumers: none,
    listeners: none,
    certificates: none,
  };
  assert.deepEqual(rollbackWarnings(diff, 7), [
    'Services users disappear (added after version 7).',
    'Objects managed by Kubernetes stay as they are (their resources are their source): gwapi.shop.http, k8s.shop.web.',
  ]);
});

test('a rollback to a version equal to the newest has no warning', () => {
  assert.deepEqual(rollbackWarnings({ services: none, routes: none, consumers: none, listeners: none, certificates: none }, 2), []);
});
