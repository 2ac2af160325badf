import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, prune, validate, type SchemaProps } from './schema.js';
import { validateRules } from './cel.js';

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

test('x-kubernetes-validations CEL rules are enforced, with messages, fieldPath and transition rules on oldSelf', () => {
  const upstream: SchemaProps = {
    type: 'object',
    properties: {
      minRetries: { type: 'integer' },
      maxRetries: { type: 'integer' },
      url: { type: 'string' },
      paths: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('/')", message: 'must start with /' }] } as SchemaProps },
      tier: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'tier is immutable' }] } as SchemaProps,
    },
    'x-kubernetes-validations': [
      { rule: 'self.minRetries <= self.maxRetries', message: 'minRetries must not exceed maxRetries' },
      { rule: "self.url.matches('^https?://')", fieldPath: '.url', messageExpression: "'unsupported scheme in ' + self.url" },
    ],
  } as SchemaProps;
  const good = { minRetries: 1, maxRetries: 3, url: 'https://x', paths: ['/a'], tier: 'gold' };
  assert.deepEqual(validateRules(good, undefined, upstream, 'spec'), []);
  const bad = { minRetries: 5, maxRetries: 3, url: 'ftp://x', paths: ['/a', 'b'], tier: 'gold' };
  assert.deepEqual(
    validateRules(bad, undefined, upstream, 'spec').map((e) => [e.field, e.detail]),
    [
      ['spec', '"object": minRetries must not exceed maxRetries'],
      ['spec.url', '"object": unsupported scheme in ftp://x'],
      ['spec.paths[1]', '"b": must start with /'],
    ],
  );
  assert.deepEqual(validateRules(good, { ...good, tier: 'free' }, upstream, 'spec').map((e) => [e.field, e.detail]), [['spec.tier', '"gold": tier is immutable']]);
});

test('an x-kubernetes-embedded-resource keeps its apiVersion, kind and metadata through pruning', () => {
  const embedding: SchemaProps = { type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } } } };
  const template = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, spec: {}, junk: 1 };
  assert.deepEqual(prune({ template }, embedding), { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, spec: {} } });
});

test('string formats date-time, date, uuid, byte, ipv4 and email are checked', () => {
  const formatted: SchemaProps = {
    type: 'object',
    properties: { at: { type: 'string', format: 'date-time' }, day: { type: 'string', format: 'date' }, id: { type: 'string', format: 'uuid' }, raw: { type: 'string', format: 'byte' }, ip: { type: 'string', format: 'ipv4' }, mail: { type: 'string', format: 'email' }, other: { type: 'string', format: 'password' } },
  };
  assert.deepEqual(validate({ at: '2026-01-02T03:04:05.123Z', day: '2026-01-02', id: '0f8fad5b-d9cb-469f-a165-70867728950e', raw: 'aGk=', ip: '10.0.0.1', mail: 'a@b.io', other: 'x' }, formatted), []);
  assert.deepEqual(
    validate({ at: 'yesterday', day: '2026-13-45', id: 'nope', raw: 'a', ip: '300.1.1.1', mail: 'nobody' }, formatted).map((e) => e.field),
    ['at', 'day', 'id', 'raw', 'ip', 'mail'],
  );
});

test('a repeated item of an x-kubernetes-list-type set, or a repeated key of a map list, is a Duplicate value', () => {
  const lists: SchemaProps = {
    type: 'object',
    properties: {
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      plain: { type: 'array', items: { type: 'string' } },
      entries: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
      },
    },
  };
  const errors = validate({ tags: ['a', 'b', 'a'], plain: ['a', 'a'], entries: [{ name: 'x', value: '1' }, { name: 'y', value: '1' }, { name: 'x', value: '2' }] }, lists);
  assert.deepEqual(
    errors.map((e) => [e.field, e.type, e.detail]),
    [
      ['tags[2]', 'FieldValueDuplicate', '"a"'],
      ['entries[2]', 'FieldValueDuplicate', 'map[string]interface {}{"name":"x"}'],
    ],
  );
});
