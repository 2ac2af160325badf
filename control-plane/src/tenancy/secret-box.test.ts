import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretBox, SecretBoxError } from './secret-box.js';

const KEY = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const PLAINTEXT = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

test('a sealed secret opens with the same key and context, and holds no plaintext', () => {
  const box = createSecretBox(KEY);
  const sealed = box.seal(PLAINTEXT, 'tenant-a');
  assert.doesNotMatch(sealed, /PRIVATE|BEGIN/);
  assert.match(sealed, new RegExp(`^v1:${box.keyId}:[A-Za-z0-9_-]+$`));
  assert.equal(box.open(sealed, 'tenant-a'), PLAINTEXT);
  assert.notEqual(box.seal(PLAINTEXT, 'tenant-a'), sealed, 'a fresh IV each time');
  assert.equal(box.isCurrent(sealed), true);
});

test('a tampered ciphertext is refused, whichever byte changed', () => {
  const box = createSecretBox(KEY);
  const sealed = box.seal(PLAINTEXT, 'tenant-a');
  const [format, keyId, payload] = sealed.split(':') as [string, string, string];
  const bytes = Buffer.from(payload, 'base64url');
  for (const index of [0, 12, Math.floor(bytes.length / 2), bytes.length - 1]) {
    const changed = Buffer.from(bytes);
    changed[index] = (changed[index] as number) ^ 1;
    assert.throws(() => box.open(`${format}:${keyId}:${changed.toString('base64url')}`, 'tenant-a'), SecretBoxError);
  }
  assert.throws(() => box.open(`${format}:${keyId}:${bytes.subarray(0, 20).toString('base64url')}`, 'tenant-a'), SecretBoxError);
  assert.throws(() => box.open('v2:00:AAAA', 'tenant-a'), /malformed/);
  assert.throws(() => box.open(`${sealed}:extra`, 'tenant-a'), /malformed/);
});

test('a secret sealed for one owner does not open for another', () => {
  const box = createSecretBox(KEY);
  assert.throws(() => box.open(box.seal(PLAINTEXT, 'tenant-a'), 'tenant-b'), /another owner/);
});

test('the wrong key is refused by its id, and a forged id still fails authentication', () => {
  const sealed = createSecretBox(KEY).seal(PLAINTEXT, 't');
  const other = createSecretBox(OTHER);
  assert.throws(() => other.open(sealed, 't'), /neither SECRETS_ENCRYPTION_KEY nor SECRETS_ENCRYPTION_ACCEPTED_KEY/);
  const forged = sealed.replace(/^v1:[0-9a-f]+:/, `v1:${other.keyId}:`);
  assert.throws(() => other.open(forged, 't'), /failed authentication/);
});

test('rotation: the accepted key opens what the previous key sealed; new seals use the new key', () => {
  const before = createSecretBox(KEY);
  const sealedBefore = before.seal(PLAINTEXT, 't');
  const rotating = createSecretBox(OTHER, KEY);
  assert.equal(rotating.open(sealedBefore, 't'), PLAINTEXT);
  assert.equal(rotating.isCurrent(sealedBefore), false);
  const resealed = rotating.seal(rotating.open(sealedBefore, 't'), 't');
  assert.equal(rotating.isCurrent(resealed), true);
  const after = createSecretBox(OTHER);
  assert.equal(after.open(resealed, 't'), PLAINTEXT);
  assert.throws(() => after.open(sealedBefore, 't'), SecretBoxError);
  assert.throws(() => before.open(resealed, 't'), SecretBoxError, 'the old key alone does not open what the new one sealed');
});

test('no refusal message holds the plaintext', () => {
  const box = createSecretBox(KEY);
  const sealed = box.seal(PLAINTEXT, 't');
  for (const attempt of [() => box.open(sealed, 'u'), () => createSecretBox(OTHER).open(sealed, 't'), () => box.open('junk', 't')]) {
    assert.throws(attempt, (error: Error) => !error.message.includes('BEGIN') && !error.message.includes(KEY));
  }
});
