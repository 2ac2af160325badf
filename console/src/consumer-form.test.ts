import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumerBodyOf, consumerFormOf, EMPTY_CONSUMER_FORM, withStoredKeys } from './consumer-form.js';

const HASH = 'a'.repeat(64);

test("a stored consumer becomes its form without its key hashes, and back (the other fields through the advanced JSON)", () => {
  const stored = { id: 'x', managedBy: 'api', username: 'alice', apiKeyHashes: [HASH], jwtSubject: 'u-1', groups: ['gold', 'eu'], rateLimit: { limit: 5, windowSeconds: 1 } };
  const form = consumerFormOf(stored);
  assert.deepEqual({ ...form, advanced: JSON.parse(form.advanced) }, { username: 'alice', jwtSubject: 'u-1', jwtProvider: '', groups: 'gold\neu', advanced: { rateLimit: stored.rateLimit } });
  assert.ok(!form.advanced.includes(HASH), 'the key hashes are the keys page’s');
  const read = consumerBodyOf(form);
  assert.deepEqual(read, { ok: true, body: { rateLimit: stored.rateLimit, username: 'alice', jwtSubject: 'u-1', groups: ['gold', 'eu'] }, advancedKeys: ['rateLimit'] });
});

test('empty optional fields are left out of a new consumer', () => {
  assert.deepEqual(consumerBodyOf({ ...EMPTY_CONSUMER_FORM, username: ' bob ' }), { ok: true, body: { username: 'bob' }, advancedKeys: [] });
});

test('key hashes typed into the advanced JSON are refused: keys are made on the keys page', () => {
  const read = consumerBodyOf({ ...EMPTY_CONSUMER_FORM, username: 'bob', advanced: `{"apiKeyHashes": ["${HASH}"]}` });
  assert.deepEqual(read, { ok: false, errors: { advanced: '"apiKeyHashes" is managed on the Keys page, not here' } });
});

test('a saved consumer keeps the key hashes stored right before the save, not the ones the form was opened with', () => {
  assert.deepEqual(withStoredKeys({ username: 'bob' }, { username: 'bob', apiKeyHashes: [HASH] }), { username: 'bob', apiKeyHashes: [HASH] });
  assert.deepEqual(withStoredKeys({ username: 'bob' }, { username: 'bob' }), { username: 'bob' });
});
