import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionalCrd } from './optional-crd.js';

const notFound = Object.assign(new Error('404 page not found'), { code: 404 });
const forbidden = Object.assign(new Error('forbidden'), { code: 403 });

test('a 404 marks the CRD missing and is said once, at info level; a later successful list says it is back', async () => {
  const lines: string[] = [];
  const crd = new OptionalCrd('gatewayclasses.gateway.networking.k8s.io', 'not reconciled until installed', { info: (message) => lines.push(message) });
  let answer: 'missing' | 'served' | 'forbidden' = 'missing';
  const list = crd.track(async () => {
    if (answer === 'missing') throw notFound;
    if (answer === 'forbidden') throw forbidden;
    return { items: [] };
  });
  await assert.rejects(list(), /404/);
  await assert.rejects(list(), /404/);
  assert.equal(crd.isMissing(), true);
  assert.deepEqual(lines, ['gatewayclasses.gateway.networking.k8s.io is not installed; not reconciled until installed']);
  answer = 'served';
  assert.deepEqual(await list(), { items: [] });
  assert.equal(crd.isMissing(), false);
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /is served now/);
  answer = 'forbidden';
  await assert.rejects(list(), /forbidden/);
  assert.equal(crd.isMissing(), false, 'a 403 is a real failure, not a missing CRD');
});
