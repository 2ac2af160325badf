// Every CRD field (crds/ and the chart's copy) and every chart value has a description, and a bad
// gateway.controlPlane.url is refused in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm, repoRoot } from '../tools.js';
import { crdFiles } from './crd-copies.js';
import { chartDir, renderFailure } from './render.js';
import { undescribedCrdFields, undescribedProperties, type SchemaNode } from './descriptions.js';

const crdDirs = ['crds', 'charts/novagate/crds'];

test('every field of every CRD (crds/ and the chart copy) has a description for kubectl explain', () => {
  const missing: string[] = [];
  let crds = 0;
  for (const dir of crdDirs) {
    for (const file of crdFiles(join(repoRoot, dir))) {
      for (const document of parseAllDocuments(readFileSync(join(repoRoot, dir, file), 'utf8'))) {
        const crd = document.toJS() as Parameters<typeof undescribedCrdFields>[0];
        if (crd?.kind === 'CustomResourceDefinition') crds += 1;
        missing.push(...undescribedCrdFields(crd).map((line) => `${dir}/${file}: ${line}`));
      }
    }
  }
  assert.equal(crds, 10, 'five CRDs in crds/ (Tenant, Route, Consumer, GatewayParameters, NovaGatePolicy) and their five copies in the chart');
  assert.deepEqual(missing, []);
});

test('every value in values.schema.json has a description', () => {
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as SchemaNode;
  assert.deepEqual(undescribedProperties(schema), []);
});

test('the walk finds undescribed properties in nested objects, array items, maps, branches and $defs', () => {
  const schema: SchemaNode = {
    properties: {
      described: { description: 'yes', properties: { inner: {} } },
      blank: { description: '  ' },
      list: { description: 'a list', items: { properties: { name: {} } } },
      map: { description: 'a map', additionalProperties: { properties: { value: { description: 'ok' }, unit: {} } } },
      either: { description: 'one of two', anyOf: [{ properties: { a: {} } }, { type: 'string' } as SchemaNode] },
    },
    $defs: { quantity: { properties: { amount: {} } } },
  };
  assert.deepEqual(undescribedProperties(schema), ['described.inner', 'blank', 'list[].name', 'map.*.unit', 'either.a', '#/$defs/quantity.amount']);
  const crd = { kind: 'CustomResourceDefinition', metadata: { name: 'x.novagate.dev' }, spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { properties: { metadata: {}, spec: {} } } } }] } };
  assert.deepEqual(undescribedCrdFields(crd), ['x.novagate.dev v1: spec'], 'the root metadata must stay bare, so it is not asked for');
});

test('a gateway.controlPlane.url that is not wss:// is refused with a message saying it must start with wss://', () => {
  for (const url of ['https://cp.example.com', 'ws://cp.example.com', 'cp.example.com']) {
    const stderr = renderFailure({ set: [`gateway.controlPlane.url=${url}`] });
    assert.match(stderr, new RegExp(`gateway\\.controlPlane\\.url must start with wss:// \\(got "${url.replaceAll('.', '\\.')}"\\)`));
    assert.doesNotMatch(stderr, /anyOf/);
  }
  // helm lint runs templates in lint mode, where `fail` is reported as [INFO] rather than failing the chart: the
  // message is still what it prints.
  const lint = helm(['lint', chartDir, '--set', 'gateway.controlPlane.url=https://cp.example.com']);
  assert.match(lint.stdout + lint.stderr, /gateway\.controlPlane\.url must start with wss:\/\//);
  assert.doesNotMatch(lint.stdout + lint.stderr, /anyOf/);
});

test('a wss:// gateway.controlPlane.url, or none, still renders', () => {
  for (const set of [['gateway.controlPlane.url=wss://cp.example.com'], []]) {
    const result = helm(['template', 'ng', chartDir, ...set.flatMap((value) => ['--set', value])]);
    assert.equal(result.status, 0, result.stderr);
  }
});
