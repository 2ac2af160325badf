import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../testing/database.js';
import { createMemoryPresence, createRedisPresence, presenceKey, type Presence, type PresenceEntry } from './presence.js';

let redis: Redis;
before(() => {
  redis = new Redis(TEST_REDIS_URL);
});
after(() => {
  redis.disconnect();
});

const entry = (connection?: string): PresenceEntry => ({ lastSeen: new Date().toISOString(), configVersion: 1, configHash: 'a'.repeat(64), ...(connection === undefined ? {} : { connection }) });

for (const [name, make] of [
  ['Redis', () => createRedisPresence(redis)],
  ['memory', () => createMemoryPresence()],
] as [string, () => Presence][]) {
  test(`${name} presence: a closing connection removes only an entry it wrote itself`, async () => {
    const presence = make();
    const tenantId = randomUUID();
    try {
      // The node reconnected elsewhere (connection B) before connection A finished closing.
      await presence.mark(tenantId, 'node-1', entry('connection-b'));
      await presence.remove(tenantId, 'node-1', 'connection-a');
      assert.deepEqual([...(await presence.online(tenantId)).keys()], ['node-1'], 'B’s entry stays');
      await presence.remove(tenantId, 'node-1', 'connection-b');
      assert.deepEqual([...(await presence.online(tenantId)).keys()], [], 'B removes its own');
      // An entry written without a connection id (an older replica) is removed as before.
      await presence.mark(tenantId, 'node-2', entry());
      await presence.remove(tenantId, 'node-2', 'connection-a');
      assert.equal((await presence.online(tenantId)).size, 0);
      await presence.remove(tenantId, 'never-there', 'connection-a');
    } finally {
      await redis.del(presenceKey(tenantId));
    }
  });
}
