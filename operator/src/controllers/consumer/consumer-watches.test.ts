import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerResource, SecretResource } from '../../kube/resources.js';
import type { WatchEventType } from '../../kube/watch.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor } from '../controller.js';
import { consumerSecrets } from './consumer-watches.js';

const consumer = (namespace: string, name: string, secretName?: string): ConsumerResource => ({
  metadata: { name, namespace },
  spec: { tenantRef: { name: 'acme' }, username: name, ...(secretName === undefined ? {} : { apiKeySecretRef: { name: secretName } }) },
});
const secret = (namespace: string, name: string, apiKey: string): SecretResource => ({ metadata: { name, namespace }, data: { apiKey } });

test('a change of a Secret\'s data reconciles the Consumers of its namespace whose apiKeySecretRef names it', () => {
  const caches = cachesOf({
    consumers: [
      consumer('shop', 'alice', 'shared-key'),
      consumer('shop', 'bob', 'shared-key'),
      consumer('shop', 'carol', 'carol-key'),
      consumer('shop', 'dave'),
      consumer('store', 'erin', 'shared-key'),
    ],
  });
  const table: [string, WatchEventType, SecretResource, SecretResource | undefined, string[]][] = [
    ['created', 'ADDED', secret('shop', 'shared-key', 'YQ=='), undefined, ['shop/alice', 'shop/bob']],
    ['deleted', 'DELETED', secret('shop', 'carol-key', 'YQ=='), secret('shop', 'carol-key', 'YQ=='), ['shop/carol']],
    ['its key replaced', 'MODIFIED', secret('shop', 'carol-key', 'Yg=='), secret('shop', 'carol-key', 'YQ=='), ['shop/carol']],
    ['only its labels changed', 'MODIFIED', secret('shop', 'carol-key', 'YQ=='), secret('shop', 'carol-key', 'YQ=='), []],
    ['a Secret no Consumer names', 'ADDED', secret('shop', 'unused', 'YQ=='), undefined, []],
    ['the same name in another namespace', 'ADDED', secret('store', 'shared-key', 'YQ=='), undefined, ['store/erin']],
  ];
  for (const [name, type, object, previous, expected] of table) {
    assert.deepEqual(keysFor(consumerSecrets, { type, object, previous }, caches), expected, name);
  }
});

test('a change of a Secret a Consumer\'s basicAuth names reconciles that Consumer', () => {
  const withPasswords = (name: string, ...secrets: string[]): ConsumerResource => ({
    metadata: { name, namespace: 'shop' },
    spec: { tenantRef: { name: 'acme' }, username: name, basicAuth: secrets.map((secretName) => ({ username: name, passwordSecretRef: { name: secretName } })) },
  });
  const caches = cachesOf({ consumers: [withPasswords('alice', 'alice-pw', 'alice-next'), withPasswords('bob', 'bob-pw'), consumer('shop', 'carol', 'alice-next')] });
  const password = (name: string, value: string): SecretResource => ({ metadata: { name, namespace: 'shop' }, data: { password: value } });
  assert.deepEqual(keysFor(consumerSecrets, { type: 'MODIFIED', object: password('alice-next', 'Yg=='), previous: password('alice-next', 'YQ==') }, caches), ['shop/alice', 'shop/carol']);
  assert.deepEqual(keysFor(consumerSecrets, { type: 'DELETED', object: password('bob-pw', 'YQ=='), previous: password('bob-pw', 'YQ==') }, caches), ['shop/bob']);
  assert.deepEqual(keysFor(consumerSecrets, { type: 'MODIFIED', object: password('bob-pw', 'YQ=='), previous: password('bob-pw', 'YQ==') }, caches), []);
});
