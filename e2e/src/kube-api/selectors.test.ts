import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

test('label selectors match equality, set and existence requirements', () => {
  const labels = { app: 'gw', tier: 'edge', 'novagate.dev/tenant': 'acme' };
  const cases: Array<[string, boolean]> = [
    ['app=gw', true],
    ['app==gw', true],
    ['app!=gw', false],
    ['app in (api, gw)', true],
    ['app notin (gw)', false],
    ['novagate.dev/tenant', true],
    ['!novagate.dev/tenant', false],
    ['missing', false],
    ['!missing', true],
    ['app=gw,tier in (edge),!missing', true],
    ['app=gw,tier=core', false],
    ['missing!=x', true],
  ];
  for (const [selector, expected] of cases) {
    assert.equal(matchesLabels(parseLabelSelector(selector), labels), expected, selector);
  }
});

test('an unparsable label selector is a 400 BadRequest', () => {
  assert.throws(() => parseLabelSelector('app=(x'), (e: unknown) => e instanceof ApiError && e.code === 400);
});

test('field selectors match metadata.name and allowed fields, and refuse other fields', () => {
  const object = { metadata: { name: 'a', namespace: 'ns1' }, type: 'Opaque' };
  assert.equal(matchesFields(parseFieldSelector('metadata.name=a', [], 'Secret'), object), true);
  assert.equal(matchesFields(parseFieldSelector('metadata.namespace!=ns1', [], 'Secret'), object), false);
  assert.equal(matchesFields(parseFieldSelector('type=Opaque,metadata.name==a', ['type'], 'Secret'), object), true);
  assert.throws(() => parseFieldSelector('spec.plan=pro', [], 'Tenant'), (e: unknown) => e instanceof ApiError && e.code === 400 && /field label not supported/.test(e.message));
});
