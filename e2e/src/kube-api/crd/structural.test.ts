import { test } from 'node:test';
import assert from 'node:assert/strict';
import { structuralErrors } from './structural.js';
import { validateCrd } from './crd.js';
import { tenantCrd } from '../test-fixtures.js';

const at = 'spec.versions[0].schema.openAPIV3Schema';

test('a structural schema passes, including int-or-string, preserve-unknown-fields and anyOf without types', () => {
  assert.deepEqual(validateCrd(tenantCrd()), []);
  const schema = {
    type: 'object',
    properties: {
      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      extra: { 'x-kubernetes-preserve-unknown-fields': true },
      mode: { type: 'string', anyOf: [{ enum: ['a'] }, { pattern: '^b' }], default: 'a' },
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
    },
  };
  assert.deepEqual(structuralErrors(schema, at), []);
});

test('non-structural schemas are refused with the field paths a real cluster names', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: { properties: { plan: { type: 'string', default: 7 } } },
      list: { type: 'array', items: { properties: {} }, uniqueItems: true },
      either: { type: 'string', oneOf: [{ type: 'string' }] },
      closed: { type: 'object', additionalProperties: false },
      metadata: { type: 'object', properties: { labels: { type: 'object' } } },
    },
  };
  assert.deepEqual(
    structuralErrors(schema, at).map((e) => [e.field, e.type]),
    [
      [`${at}.properties[spec].type`, 'FieldValueRequired'],
      [`${at}.properties[spec].properties[plan].default`, 'FieldValueTypeInvalid'],
      [`${at}.properties[list].uniqueItems`, 'FieldValueForbidden'],
      [`${at}.properties[list].items.type`, 'FieldValueRequired'],
      [`${at}.properties[either].oneOf[0].type`, 'FieldValueForbidden'],
      [`${at}.properties[closed].additionalProperties`, 'FieldValueForbidden'],
      [`${at}.properties[metadata].properties[labels]`, 'FieldValueForbidden'],
    ],
  );
});

test('a description on the root metadata is refused, as the real server refuses it', () => {
  const schema = { type: 'object', properties: { metadata: { type: 'object', description: 'Standard object metadata.' } } };
  assert.deepEqual(structuralErrors(schema, at).map((e) => [e.field, e.type]), [[`${at}.properties[metadata].description`, 'FieldValueForbidden']]);
});
