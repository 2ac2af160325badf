import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiKeyFromPlaintext, generateApiKey, sha256Hex } from './api-key-format.js';

const TENANT = '0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f';

test('a generated key is gw_<tenant>_<32 hex>, stored as its SHA-256 and listed by its first 4 random digits', () => {
  const key = generateApiKey(TENANT);
  assert.match(key.plaintext, new RegExp(`^gw_${TENANT}_[0-9a-f]{32}$`));
  assert.equal(key.hash, sha256Hex(key.plaintext));
  assert.equal(key.prefix, key.plaintext.slice(0, `gw_${TENANT}_`.length + 4));
});

test('a key that exists already (a Secret holds it) is stored in the same form as when it was generated', () => {
  const key = generateApiKey(TENANT);
  assert.deepEqual(apiKeyFromPlaintext(TENANT, key.plaintext), key);
  assert.equal(apiKeyFromPlaintext(TENANT, `gw_${TENANT}_abcdef0123456789abcdef0123456789`).prefix, `gw_${TENANT}_abcd`);
});
