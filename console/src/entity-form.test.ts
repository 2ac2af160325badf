import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advancedTextOf, linesOf, parseAdvanced } from './entity-form.js';

test('a one-per-line field gives its lines trimmed, blank ones left out', () => {
  assert.deepEqual(linesOf(' /a \n\n/b\r\n  \n'), ['/a', '/b']);
  assert.deepEqual(linesOf(''), []);
});

test("the advanced text holds the object's fields that are neither the form's nor presented-only", () => {
  const item = { id: 'x', managedBy: 'api', createdAt: 't', updatedAt: 't', name: 'n', url: 'http://a', timeoutMs: 5000, tls: { verify: true } };
  assert.deepEqual(JSON.parse(advancedTextOf(item, ['name', 'url'])), { timeoutMs: 5000, tls: { verify: true } });
  assert.equal(advancedTextOf({ id: 'x', managedBy: 'api', name: 'n' }, ['name']), '');
  assert.equal(advancedTextOf({ name: 'n', apiKeyHashes: [] }, ['name'], ['apiKeyHashes']), '');
});

test('the advanced field is empty or one JSON object without the form’s own fields; anything else is refused in words', () => {
  assert.deepEqual(parseAdvanced('  ', ['name']), { ok: true, value: {} });
  assert.deepEqual(parseAdvanced('{"timeoutMs": 5}', ['name']), { ok: true, value: { timeoutMs: 5 } });
  const syntax = parseAdvanced('{"timeoutMs": }', ['name']);
  assert.equal(syntax.ok, false);
  assert.match(!syntax.ok ? syntax.message : '', /^not valid JSON: /);
  for (const text of ['[1]', 'null', '"x"', '3']) {
    const result = parseAdvanced(text, ['name']);
    assert.equal(result.ok, false, text);
    assert.match(!result.ok ? result.message : '', /must be one JSON object/);
  }
  assert.deepEqual(parseAdvanced('{"name": "x"}', ['name']), { ok: false, message: '"name" has its own field above: set it there' });
});
