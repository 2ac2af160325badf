import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcrypt';
import { BCRYPT_COST, BasicAuthHasher } from './basic-auth-hasher.js';

const cost = (hash: string) => Number(hash.split('$')[2]);

test('a password without a stored hash gets a fresh bcrypt hash of cost 10 that verifies it and does not contain it', async () => {
  const [credential] = await new BasicAuthHasher().credentials([{ username: 'alice', password: 's3cret-password' }]);
  assert.ok(credential);
  assert.equal(credential.username, 'alice');
  assert.match(credential.passwordHash, /^\$2[aby]\$10\$[./A-Za-z0-9]{53}$/);
  assert.equal(cost(credential.passwordHash), BCRYPT_COST);
  assert.ok(await bcrypt.compare('s3cret-password', credential.passwordHash));
  assert.ok(!credential.passwordHash.includes('s3cret-password'));
});

test('a stored hash that still matches the password is kept, also by a new hasher (an operator restart)', async () => {
  const stored = [{ username: 'alice', passwordHash: await bcrypt.hash('pw-one', 10) }];
  for (const hasher of [new BasicAuthHasher(), new BasicAuthHasher()]) {
    assert.deepEqual(await hasher.credentials([{ username: 'alice', password: 'pw-one' }], stored), stored);
    assert.deepEqual(await hasher.credentials([{ username: 'alice', password: 'pw-one' }], stored), stored, 'and again, from what it remembers');
  }
});

test('a changed password gets a new hash, even from a hasher that verified the old one', async () => {
  const hasher = new BasicAuthHasher();
  const [first] = await hasher.credentials([{ username: 'alice', password: 'old-password' }]);
  assert.ok(first);
  const [second] = await hasher.credentials([{ username: 'alice', password: 'new-password' }], [first]);
  assert.ok(second);
  assert.notEqual(second.passwordHash, first.passwordHash);
  assert.ok(await bcrypt.compare('new-password', second.passwordHash));
  assert.ok(!(await bcrypt.compare('old-password', second.passwordHash)));
});

test('a stored hash is only kept for its own username, and each rotation entry keeps its own hash', async () => {
  const hasher = new BasicAuthHasher();
  const bobs = await bcrypt.hash('shared', 10);
  const [alice] = await hasher.credentials([{ username: 'alice', password: 'shared' }], [{ username: 'bob', passwordHash: bobs }]);
  assert.notEqual(alice?.passwordHash, bobs, 'another user-id\'s hash is never borrowed');
  const stored = [
    { username: 'alice', passwordHash: await bcrypt.hash('current', 10) },
    { username: 'alice', passwordHash: await bcrypt.hash('next', 10) },
  ];
  const rotated = await hasher.credentials(
    [
      { username: 'alice', password: 'next' },
      { username: 'alice', password: 'current' },
    ],
    stored,
  );
  assert.deepEqual(rotated, [stored[1], stored[0]]);
});

test('a stored value that is not a bcrypt hash is replaced, not trusted or thrown on', async () => {
  const hasher = new BasicAuthHasher();
  for (const passwordHash of ['plain-password', '', '$2b$10$short', 'x'.repeat(10_000)]) {
    const [credential] = await hasher.credentials([{ username: 'alice', password: 'plain-password' }], [{ username: 'alice', passwordHash }]);
    assert.ok(credential);
    assert.notEqual(credential.passwordHash, passwordHash);
    assert.ok(await bcrypt.compare('plain-password', credential.passwordHash));
  }
});

test('a password whose hash was never stored (its consumer left out) gets the same hash on the next sync, not a new salt each time', async () => {
  const hasher = new BasicAuthHasher();
  const [first] = await hasher.credentials([{ username: 'alice', password: 'pw' }]);
  const [second] = await hasher.credentials([{ username: 'alice', password: 'pw' }]);
  assert.equal(second?.passwordHash, first?.passwordHash);
  const [other] = await hasher.credentials([{ username: 'bob', password: 'pw' }]);
  assert.notEqual(other?.passwordHash, first?.passwordHash, 'a hash is made per username');
  const [changed] = await hasher.credentials([{ username: 'alice', password: 'pw2' }]);
  assert.notEqual(changed?.passwordHash, first?.passwordHash);
  assert.ok(await bcrypt.compare('pw2', changed?.passwordHash ?? ''));
});
