// The chart ships the CRDs of the top-level crds/ folder unchanged (copy them with
// `cp crds/*.yaml charts/novagate/crds/`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../tools.js';
import { crdDifferences, crdFiles } from './crd-copies.js';

test('chart CRDs are identical to top-level crds/', () => {
  const differences = crdDifferences(join(repoRoot, 'crds'), join(repoRoot, 'charts/novagate/crds'));
  assert.deepEqual(differences, [], 'run: cp crds/*.yaml charts/novagate/crds/');
});

test('the comparison finds a missing file, an extra file and a changed file', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'novagate-crds-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const source = join(root, 'crds');
  const copy = join(root, 'chart-crds');
  mkdirSync(source);
  mkdirSync(copy);
  writeFileSync(join(source, 'tenants.yaml'), 'kind: CustomResourceDefinition\n');
  writeFileSync(join(source, 'routes.yaml'), 'kind: CustomResourceDefinition\nspec: {}\n');
  writeFileSync(join(copy, 'routes.yaml'), 'kind: CustomResourceDefinition\nspec: {scope: Namespaced}\n');
  writeFileSync(join(copy, 'consumers.yml'), 'kind: CustomResourceDefinition\n');
  writeFileSync(join(copy, '.gitkeep'), '');
  mkdirSync(join(source, 'examples'));
  writeFileSync(join(source, 'examples', 'tenant.yaml'), 'kind: Tenant\n');
  assert.deepEqual(crdFiles(copy), ['consumers.yml', 'routes.yaml']);
  assert.deepEqual(crdFiles(source), ['routes.yaml', 'tenants.yaml'], 'examples/ holds resources, not definitions');
  assert.deepEqual(crdDifferences(source, copy), [
    `tenants.yaml: missing from ${copy}`,
    `consumers.yml: not in ${source}`,
    'routes.yaml: contents differ',
  ]);
  writeFileSync(join(copy, 'routes.yaml'), 'kind: CustomResourceDefinition\nspec: {}\n');
  writeFileSync(join(copy, 'tenants.yaml'), 'kind: CustomResourceDefinition\n');
  rmSync(join(copy, 'consumers.yml'));
  assert.deepEqual(crdDifferences(source, copy), []);
});
