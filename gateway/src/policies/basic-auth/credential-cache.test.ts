import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CredentialCache } from './credential-cache.js';

test('the cache key is neither the password nor a bare hash of it, and differs between processes', () => {
  const a = new CredentialCache(10);
  const b = new CredentialCache(10);
  const key = a.keyOf('alice', 'correct horse');
  assert.ok(!key.includes('correct horse'));
  for (const bare of ['correct horse', 'alice:correct horse']) {
    for (const encoding of ['hex', 'base64'] as const) assert.notEqual(key, createHash('sha256').update(bare).digest(encoding));
  }
  assert.equal(a.keyOf('alice', 'correct horse'), key, 'stable within one cache');
  assert.notEqual(b.keyOf('alice', 'correct horse'), key, 'a random key per cache');
  assert.notEqual(a.keyOf('alice', 'correct horsf'), key);
});

test('the cache holds at most its bound, the least recently used leaving first', () => {
  const cache = new CredentialCache(3);
  for (const name of ['a', 'b', 'c']) cache.set(name, { username: name, passwordHash: `h-${name}` });
  assert.ok(cache.get('a'));
  cache.set('d', { username: 'd', passwordHash: 'h-d' });
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.ok(cache.get('a') && cache.get('c') && cache.get('d'));
});
