import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, prune, validate, type SchemaProps } from './schema.js';

const schema: SchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        retries: { type: 'integer', minimum: 0, maximum: 5, default: 2 },
        methods: { type: 'array', maxItems: 2, items: { type: 'string', enum: ['GET', 'POST'] } },
        headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 3 } },
        port: { 'x-kubernetes-int-or-string': true },
        tuning: { type: 'object', properties: { timeoutMs: { type: 'integer', default: 1000 } } },
      },
    },
  },
};

test('validation reports type, pattern, range, enum, item-count, length and required errors with field paths', () => {
  const errors = validate({ spec: { url: 'ftp://x', retries: 9, methods: ['GET', 'PUT', 'POST'], headers: { a: 'long' }, port: true } }, schema);
  assert.deepEqual(
    errors.map((e) => [e.field, e.type]),
    [
      ['spec.url', 'FieldValueInvalid'],
      ['spec.retries', 'FieldValueInvalid'],
      ['spec.methods', 'FieldValueTooMany'],
      ['spec.methods[1]', 'FieldValueNotSupported'],
      ['spec.headers.a', 'FieldValueTooLong'],
      ['spec.port', 'FieldValueTypeInvalid'],
    ],
  );
  assert.deepEqual(validate({ spec: {} }, schema).map((e) => e.field), ['spec.url']);
  assert.deepEqual(validate({ spec: { url: 'http://x', retries: 'three' } }, schema).map((e) => e.type), ['FieldValueTypeInvalid']);
  assert.deepEqual(validate({ spec: { url: 'http://x', port: 'http' } }, schema), []);
});

test('pruning drops unknown fields at every level but keeps additionalProperties maps', () => {
  const pruned = prune({ apiVersion: 'v', kind: 'K', metadata: { name: 'n' }, spec: { url: 'http://x', junk: 1, headers: { any: 'v' }, tuning: { junk: 2 } }, other: 1 }, schema, true);
  assert.deepEqual(pruned, { apiVersion: 'v', kind: 'K', metadata: { name: 'n' }, spec: { url: 'http://x', headers: { any: 'v' }, tuning: {} } });
});

test('defaults fill absent properties of present objects only', () => {
  assert.deepEqual(applyDefaults({ spec: { url: 'http://x', tuning: {} } }, schema), { spec: { url: 'http://x', retries: 2, tuning: { timeoutMs: 1000 } } });
  assert.deepEqual(applyDefaults({ spec: { url: 'http://x', retries: 0 } }, schema), { spec: { url: 'http://x', retries: 0 } });
});
