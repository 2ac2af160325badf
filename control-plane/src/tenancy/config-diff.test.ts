import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFingerprints, diffSummary, filterDiff, isEmptyDiff, NO_FINGERPRINTS, type EntityFingerprints } from './config-diff.js';

const prints = (partial: Partial<EntityFingerprints>): EntityFingerprints => ({ ...NO_FINGERPRINTS, ...partial });
const none = { added: [], removed: [], changed: [] };

test('a config diff lists added, removed and changed names per kind, each sorted', () => {
  const from = prints({ routes: { b: '1', a: '1', gone: '1' }, services: { users: 'x' } });
  const to = prints({ routes: { a: '1', b: '2', z: '1', c: '1' }, services: { users: 'x' }, consumers: { mobile: 'k' } });
  assert.deepEqual(diffFingerprints(from, to), {
    services: none,
    routes: { added: ['c', 'z'], removed: ['gone'], changed: ['b'] },
    consumers: { added: ['mobile'], removed: [], changed: [] },
    listeners: none,
    certificates: none,
  });
});

test('equal fingerprints diff to nothing, and the summary says "no change"', () => {
  const same = prints({ routes: { a: '1' }, certificates: { tls: 'c' } });
  const diff = diffFingerprints(same, same);
  assert.equal(isEmptyDiff(diff), true);
  assert.equal(diffSummary(diff), 'no change');
});

test('names shaped like object properties are plain names to the diff', () => {
  const diff = diffFingerprints(prints({ routes: { constructor: '1' } }), prints({ routes: { toString: '1', __proto__x: '2' } }));
  assert.deepEqual(diff.routes, { added: ['__proto__x', 'toString'], removed: ['constructor'], changed: [] });
});

test('the summary counts each kind that changed, in a fixed kind order', () => {
  const diff = diffFingerprints(prints({ services: { old: '1' }, routes: { a: '1' } }), prints({ routes: { a: '2', b: '1' }, listeners: { web: '1' } }));
  assert.equal(diffSummary(diff), 'services: 1 removed; routes: 1 added, 1 changed; listeners: 1 added');
});

test('a filtered diff keeps only the names the predicate accepts', () => {
  const diff = diffFingerprints(prints({ routes: { 'k8s.ns.a': '1', mine: '1' } }), prints({ routes: { 'k8s.ns.b': '1' } }));
  const operatorOnly = filterDiff(diff, (_kind, name) => name.startsWith('k8s.'));
  assert.deepEqual(operatorOnly.routes, { added: ['k8s.ns.b'], removed: ['k8s.ns.a'], changed: [] });
  assert.equal(isEmptyDiff(filterDiff(diff, () => false)), true);
});
