import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { desiredConsumer } from './desired-consumer.js';

const consumer = (spec: Partial<ConsumerResource['spec']> = {}): ConsumerResource => ({
  metadata: { name: 'mobile', namespace: 'shop' },
  spec: { tenantRef: { name: 'acme' }, username: 'mobile-app', apiKeySecretRef: { name: 'mobile-key' }, ...spec },
});
const secret = (data: Record<string, string>): SecretResource => ({
  metadata: { name: 'mobile-key', namespace: 'shop' },
  data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
});

test('only the SHA-256 of the Secret\'s key reaches the consumer config', () => {
  const result = desiredConsumer(consumer({ rateLimit: { limit: 10, windowSeconds: 1 } }), secret({ apiKey: 'key-0123456789' }));
  assert.ok(result.accepted);
  assert.deepEqual(result.value, {
    username: 'mobile-app',
    apiKeyHashes: [createHash('sha256').update('key-0123456789').digest('hex')],
    rateLimit: { limit: 10, windowSeconds: 1 },
  });
  assert.ok(!JSON.stringify(result.value).includes('key-0123456789'));
});

test('a missing Secret, a missing key and an empty key are refused with what to fix', () => {
  const table: [SecretResource | undefined, string, RegExp][] = [
    [undefined, 'SecretNotFound', /Secret "mobile-key" does not exist in namespace "shop"/],
    [secret({ other: 'x' }), 'SecretKeyNotFound', /Secret "mobile-key" has no key "apiKey"/],
    [secret({ apiKey: '  ' }), 'SecretKeyEmpty', /key "apiKey" of Secret "mobile-key" is empty/],
  ];
  for (const [given, reason, message] of table) {
    const result = desiredConsumer(consumer(), given);
    assert.ok(!result.accepted);
    assert.equal(result.reason, reason);
    assert.match(result.message, message);
  }
});

test('a JWT-only consumer needs no Secret', () => {
  const result = desiredConsumer(consumer({ apiKeySecretRef: undefined, jwtSubject: 'mobile' }), undefined);
  assert.ok(result.accepted);
  assert.deepEqual(result.value, { username: 'mobile-app', apiKeyHashes: [], jwtSubject: 'mobile' });
});

test('spec.jwtProvider reaches the consumer beside its jwtSubject; a bad name is Invalid naming the field', () => {
  const result = desiredConsumer(consumer({ apiKeySecretRef: undefined, jwtSubject: 'client-7', jwtProvider: 'okta' }), undefined);
  assert.ok(result.accepted);
  assert.deepEqual(result.value, { username: 'mobile-app', apiKeyHashes: [], jwtSubject: 'client-7', jwtProvider: 'okta' });
  const bad = desiredConsumer(consumer({ apiKeySecretRef: undefined, jwtSubject: 'client-7', jwtProvider: '-okta' }), undefined);
  assert.ok(!bad.accepted);
  assert.equal(bad.reason, 'Invalid');
  assert.match(bad.message, /^spec\.jwtProvider: provider name must be/);
});

test('groups and the hashed basicAuth credentials reach the consumer config; without them it is what it always was', () => {
  const basicAuth = [{ username: 'mobile', passwordHash: `$2b$10$${'a'.repeat(53)}` }];
  const result = desiredConsumer(consumer({ groups: ['partners', 'beta'] }), secret({ apiKey: 'key-0123456789' }), basicAuth);
  assert.ok(result.accepted);
  assert.deepEqual(result.value.groups, ['partners', 'beta']);
  assert.deepEqual(result.value.basicAuth, basicAuth);
  const plain = desiredConsumer(consumer(), secret({ apiKey: 'key-0123456789' }), []);
  assert.ok(plain.accepted);
  assert.deepEqual(Object.keys(plain.value).sort(), ['apiKeyHashes', 'username']);
});

test('a group name the gateway refuses becomes the reason, naming spec.groups[i]', () => {
  const result = desiredConsumer(consumer({ groups: ['ok', '-bad'] }), secret({ apiKey: 'key-0123456789' }));
  assert.ok(!result.accepted);
  assert.match(result.message, /^spec\.groups\[1\]: must be 1-128 characters/);
});
