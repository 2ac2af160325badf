import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsByField, fieldOfPath, routeErrors } from './field-errors.js';

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

test("a list field's detail names the entry it is about from the body sent, whatever the path's notation", () => {
  const routing = { fields: { paths: 'paths', name: 'name' }, listFields: ['paths'], sent: { paths: ['/ok', 'orders', { type: 'RegularExpression', value: '(' }] } };
  assert.deepEqual(routeErrors(routing, 'request is invalid', [{ path: 'paths.1', message: "must start with '/'" }]).fields, { paths: "orders: must start with '/'" });
  assert.deepEqual(routeErrors(routing, 'request is invalid', [{ path: 'paths[2].value', message: 'is not a valid regular expression' }]).fields, {
    paths: '{"type":"RegularExpression","value":"("} (value): is not a valid regular expression',
  });
  assert.deepEqual(routeErrors(routing, 'request is invalid', [{ path: 'paths', message: 'too few' }]).fields, { paths: 'too few' });
});

test('a detail under a key of the advanced JSON lands on the advanced field with its path; keys it did not hold are general', () => {
  const routing = { fields: { name: 'name' }, advanced: { field: 'advanced', keys: ['cors', 'bogus'] } };
  const result = routeErrors(routing, 'request is invalid', [
    { path: 'cors.allowOrigins.0', message: 'must be an origin' },
    { path: 'bogus', message: 'unknown field' },
    { path: 'rateLimit.limit', message: 'too small' },
  ]);
  assert.deepEqual(result, { fields: { advanced: 'cors.allowOrigins.0: must be an origin' }, general: ['rateLimit.limit: too small'] });
});

test('a detail path that is an inherited object key is no field of the form', () => {
  assert.deepEqual(routeErrors({ fields: { name: 'name' } }, 'bad', [{ path: 'constructor', message: 'odd' }]), { fields: {}, general: ['constructor: odd'] });
});
