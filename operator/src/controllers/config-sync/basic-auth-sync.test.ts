// Against real PostgreSQL: a Consumer's basic-auth passwords reach the tenant's config only as bcrypt hashes,
// and a resync (or a restarted operator) keeps the stored hash, so it makes no new config version.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcrypt';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { provisionTenant, quotedTenantSchema, withTransaction } from '@novagate/control-plane/tenancy';
import type { ConsumerResource, SecretResource, TenantResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { ConfigSyncer } from './tenant-config.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

const password = (name: string, value: string): SecretResource => ({
  metadata: { name, namespace: 'shop' },
  data: { password: Buffer.from(value).toString('base64') },
});

async function tenantWithConsumer(): Promise<{ tenantId: string; secrets: SecretResource[]; caches: ReturnType<typeof cachesOf> }> {
  const uid = `uid-${Math.random().toString(36).slice(2)}`;
  const provisioned = await withTransaction(db.pool, (client) =>
    provisionTenant(client, { name: 'T', plan: 'pro', ownerEmail: `${uid}@example.com`, passwordHash: null, kubernetesUid: uid }),
  );
  const tenant: TenantResource = {
    metadata: { name: 'acme', namespace: 'shop', uid },
    spec: { displayName: 'Acme', plan: 'pro', ownerEmail: `${uid}@example.com`, deletionPolicy: 'Retain' },
  };
  const consumer: ConsumerResource = {
    metadata: { name: 'partner', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      tenantRef: { name: 'acme' },
      username: 'partner',
      jwtSubject: 'partner',
      groups: ['partners'],
      basicAuth: [
        { username: 'partner', passwordSecretRef: { name: 'partner-pw' } },
        { username: 'partner-next', passwordSecretRef: { name: 'partner-next-pw' } },
      ],
    },
  };
  const secrets = [password('partner-pw', 'first-password'), password('partner-next-pw', 'next-password')];
  return { tenantId: provisioned.id, secrets, caches: cachesOf({ tenants: [tenant], consumers: [consumer], secrets }) };
}

async function storedConsumer(tenantId: string): Promise<{ options: { basicAuth?: { username: string; passwordHash: string }[]; groups?: string[] }; text: string }> {
  const { rows } = await db.pool.query(`SELECT options FROM ${quotedTenantSchema(tenantId)}.consumers WHERE username = 'partner'`);
  return { options: rows[0].options, text: JSON.stringify(rows[0]) };
}

test('a Consumer\'s passwords are stored as bcrypt hashes with its groups; a resync and a restarted operator make no new version', async () => {
  const { tenantId, caches } = await tenantWithConsumer();
  const first = await new ConfigSyncer(db.pool, caches).sync('shop/acme');
  assert.ok(first);
  assert.equal(first.changed, true);
  const stored = await storedConsumer(tenantId);
  assert.deepEqual(stored.options.groups, ['partners']);
  assert.deepEqual(stored.options.basicAuth?.map((credential) => credential.username), ['partner', 'partner-next']);
  assert.ok(await bcrypt.compare('first-password', stored.options.basicAuth?.[0]?.passwordHash ?? ''));
  assert.ok(await bcrypt.compare('next-password', stored.options.basicAuth?.[1]?.passwordHash ?? ''));
  assert.ok(!stored.text.includes('first-password') && !stored.text.includes('next-password'), 'no plaintext password at rest');

  const syncer = new ConfigSyncer(db.pool, caches);
  for (const [label, run] of [
    ['resync', () => syncer.sync('shop/acme')],
    ['resync again', () => syncer.sync('shop/acme')],
    ['restarted operator', () => new ConfigSyncer(db.pool, caches).sync('shop/acme')],
  ] as const) {
    const again = await run();
    assert.deepEqual({ version: again?.version, changed: again?.changed }, { version: first.version, changed: false }, label);
  }
  assert.deepEqual((await storedConsumer(tenantId)).options.basicAuth, stored.options.basicAuth);
});

test('a changed password makes a new hash and one new version; the other entry keeps its hash', async () => {
  const { tenantId, secrets, caches } = await tenantWithConsumer();
  const syncer = new ConfigSyncer(db.pool, caches);
  const first = await syncer.sync('shop/acme');
  const before = (await storedConsumer(tenantId)).options.basicAuth ?? [];
  secrets[0] = password('partner-pw', 'rotated-password');
  const changed = await syncer.sync('shop/acme');
  assert.equal(changed?.version, (first?.version ?? 0) + 1);
  const after = (await storedConsumer(tenantId)).options.basicAuth ?? [];
  assert.ok(await bcrypt.compare('rotated-password', after[0]?.passwordHash ?? ''));
  assert.ok(!(await bcrypt.compare('first-password', after[0]?.passwordHash ?? '')), 'the old password no longer works');
  assert.equal(after[1]?.passwordHash, before[1]?.passwordHash);
  const settled = await syncer.sync('shop/acme');
  assert.deepEqual({ version: settled?.version, changed: settled?.changed }, { version: changed?.version, changed: false });
});

test('a deleted password Secret removes only that entry; the consumer and its other credentials stay', async () => {
  const { tenantId, secrets, caches } = await tenantWithConsumer();
  const syncer = new ConfigSyncer(db.pool, caches);
  await syncer.sync('shop/acme');
  secrets.splice(0, 1);
  const result = await syncer.sync('shop/acme');
  assert.equal(result?.changed, true);
  assert.equal(result?.problems.size, 0);
  const stored = await storedConsumer(tenantId);
  assert.deepEqual(stored.options.basicAuth?.map((credential) => credential.username), ['partner-next']);
  assert.deepEqual(stored.options.groups, ['partners']);
  secrets.splice(0, 1);
  await syncer.sync('shop/acme');
  assert.equal((await storedConsumer(tenantId)).options.basicAuth, undefined, 'no Secret left: no basicAuth at all, the consumer kept');
});
