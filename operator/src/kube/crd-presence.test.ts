import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrdPresence } from './crd-presence.js';

const notFound = Object.assign(new Error('HTTP-Code: 404 Message: Unknown API Status Code!'), { code: 404 });
const forbidden = Object.assign(new Error('forbidden'), { code: 403 });

function presence() {
  const lines: Array<[string, string]> = [];
  const log = { warn: (message: string) => lines.push(['warn', message]), info: (message: string) => lines.push(['info', message]) };
  return { crds: new CrdPresence(['tenants', 'routes', 'consumers'], log), lines };
}
const failing = (error: unknown) => () => Promise.reject(error);
const listing = () => Promise.resolve('listed');

test('missing CRDs are said in one line once every kind has been tried, however often the lists are retried', async () => {
  const { crds, lines } = presence();
  await assert.rejects(crds.track('tenants', failing(notFound))());
  await assert.rejects(crds.track('routes', failing(notFound))());
  assert.deepEqual(lines, [], 'not before the third kind has been tried');
  assert.equal(await crds.track('consumers', listing)(), 'listed');
  for (let retry = 0; retry < 5; retry += 1) await assert.rejects(crds.track('tenants', failing(notFound))());
  assert.equal(lines.length, 1);
  assert.match(lines[0]?.[1] ?? '', /^CRDs not installed: routes\.novagate\.dev, tenants\.novagate\.dev; install them with `kubectl apply -f crds\/`/);
  assert.deepEqual(crds.missingCrds(), ['routes.novagate.dev', 'tenants.novagate.dev']);
});

test('once all are found it says so, and a CRD deleted later is reported again', async () => {
  const { crds, lines } = presence();
  for (const kind of ['tenants', 'routes', 'consumers'] as const) await assert.rejects(crds.track(kind, failing(notFound))());
  await crds.track('tenants', listing)();
  await crds.track('routes', listing)();
  assert.equal(lines.length, 1, 'nothing while one is still missing');
  await crds.track('consumers', listing)();
  assert.deepEqual(lines.at(-1), ['info', 'NovaGate CRDs found; reconciling']);
  assert.deepEqual(crds.missingCrds(), []);
  await assert.rejects(crds.track('routes', failing(notFound))());
  assert.match(lines.at(-1)?.[1] ?? '', /^CRDs not installed: routes\.novagate\.dev;/);
  assert.equal(lines.length, 3);
});

test('other list failures are not taken for missing CRDs', async () => {
  const { crds, lines } = presence();
  for (const kind of ['tenants', 'routes', 'consumers'] as const) await assert.rejects(crds.track(kind, failing(forbidden))());
  assert.deepEqual(lines, []);
  assert.deepEqual(crds.missingCrds(), []);
  assert.equal(crds.isMissing('tenants'), false);
});
