import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsByField, fieldOfPath } from './field-errors.js';

test('a detail path names the form field of its first segment', () => {
  assert.equal(fieldOfPath('url'), 'url');
  assert.equal(fieldOfPath('targets[0].url'), 'targets');
  assert.equal(fieldOfPath('tls.verify'), 'tls');
  assert.equal(fieldOfPath(''), '');
});

test("an API error's details land on the fields they name, the first message per field", () => {
  const result = errorsByField(['name', 'url'], 'request is invalid', [
    { path: 'url', message: 'must be an http(s) URL' },
    { path: 'url', message: 'second problem' },
    { path: 'name', message: 'is taken' },
  ]);
  assert.deepEqual(result, { fields: { url: 'must be an http(s) URL', name: 'is taken' }, general: [] });
});

test('details about no field of the form are general, with their path', () => {
  const result = errorsByField(['name', 'url'], 'request is invalid', [
    { path: 'headers.x-csrf-token', message: 'missing' },
    { path: '', message: 'malformed JSON' },
  ]);
  assert.deepEqual(result, { fields: {}, general: ['headers.x-csrf-token: missing', 'malformed JSON'] });
});

test('an error without details shows its message', () => {
  assert.deepEqual(errorsByField(['name'], 'plan limit reached', undefined), { fields: {}, general: ['plan limit reached'] });
});
