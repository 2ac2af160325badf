import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import { basicAuthPasswords, consumerSecretNames } from './basic-auth-passwords.js';
import { resolvedRefsCondition } from './resolved-refs.js';

const consumer = (spec: Partial<ConsumerResource['spec']>): ConsumerResource => ({
  metadata: { name: 'partner', namespace: 'shop' },
  spec: { tenantRef: { name: 'acme' }, username: 'partner', ...spec },
});
const secret = (name: string, data: Record<string, string>): SecretResource => ({
  metadata: { name, namespace: 'shop' },
  data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
});
const secretsOf = (...secrets: SecretResource[]) => (name: string) => secrets.find((s) => s.metadata.name === name);

test('each basicAuth password is read from its Secret, key password by default, without the trailing newline of a file', () => {
  const resolved = basicAuthPasswords(
    consumer({
      basicAuth: [
        { username: 'alice', passwordSecretRef: { name: 'alice-pw' } },
        { username: 'alice', passwordSecretRef: { name: 'rotation', key: 'next' } },
      ],
    }),
    secretsOf(secret('alice-pw', { password: 'first\n' }), secret('rotation', { next: 'second' })),
  );
  assert.deepEqual(resolved, {
    passwords: [
      { username: 'alice', password: 'first' },
      { username: 'alice', password: 'second' },
    ],
    unresolved: [],
  });
});

test('a missing Secret, key or empty password leaves only that entry out, naming the field and the Secret', () => {
  const resolved = basicAuthPasswords(
    consumer({
      basicAuth: [
        { username: 'a', passwordSecretRef: { name: 'gone' } },
        { username: 'b', passwordSecretRef: { name: 'other-key' } },
        { username: 'c', passwordSecretRef: { name: 'empty' } },
        { username: 'd', passwordSecretRef: { name: 'good' } },
      ],
    }),
    secretsOf(secret('other-key', { pw: 'x' }), secret('empty', { password: '  \n' }), secret('good', { password: 'ok' })),
  );
  assert.deepEqual(resolved.passwords, [{ username: 'd', password: 'ok' }]);
  assert.deepEqual(resolved.unresolved, [
    { reason: 'SecretNotFound', message: 'spec.basicAuth[0].passwordSecretRef: Secret "gone" does not exist in namespace "shop"' },
    { reason: 'SecretKeyNotFound', message: 'spec.basicAuth[1].passwordSecretRef: Secret "other-key" has no key "password"' },
    { reason: 'SecretKeyEmpty', message: 'spec.basicAuth[2].passwordSecretRef: key "password" of Secret "empty" is empty' },
  ]);
  assert.ok(!JSON.stringify(resolved.unresolved).includes('ok'));
});

test('ResolvedRefs is True when every Secret resolves and False naming each one that does not, API key included', () => {
  const both = consumer({ apiKeySecretRef: { name: 'key' }, basicAuth: [{ username: 'a', passwordSecretRef: { name: 'pw' } }] });
  assert.deepEqual(resolvedRefsCondition(both, secretsOf(secret('key', { apiKey: 'k' }), secret('pw', { password: 'p' }))), {
    type: 'ResolvedRefs',
    status: 'True',
    reason: 'ResolvedRefs',
    message: 'every Secret the consumer names holds its key',
  });
  const missing = resolvedRefsCondition(both, secretsOf());
  assert.equal(missing.status, 'False');
  assert.equal(missing.reason, 'SecretNotFound');
  assert.equal(
    missing.message,
    'spec.apiKeySecretRef: Secret "key" does not exist in namespace "shop"; spec.basicAuth[0].passwordSecretRef: Secret "pw" does not exist in namespace "shop"',
  );
  assert.equal(resolvedRefsCondition(consumer({ jwtSubject: 's' }), secretsOf()).status, 'True');
});

test('the Secrets a Consumer reads are its API key\'s and its passwords\', each once', () => {
  const names = consumerSecretNames(
    consumer({
      apiKeySecretRef: { name: 'creds' },
      basicAuth: [
        { username: 'a', passwordSecretRef: { name: 'creds', key: 'pw' } },
        { username: 'b', passwordSecretRef: { name: 'b-pw' } },
      ],
    }),
  );
  assert.deepEqual(names, ['creds', 'b-pw']);
});
