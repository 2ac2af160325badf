// Gateway acks written in batches (group commit): the acks of a tenant that arrive while its previous batch is
// being written go out together in one statement, with one presence update and the delivered_at check, so a
// version acked by 200 gateways costs a few round trips instead of hundreds, and no ack waits behind more than
// one batch. An ack lost in a crash before its batch is written costs nothing essential: the gateway reports
// its version again in hello, and a hello on the tenant's newest version is recorded as an ack (hello.ts).
import type { Pool } from '../db/pool.js';
import { recordAcks, type NodeAck } from '../tenancy/gateway-nodes.js';
import type { Presence, PresenceEntry } from './presence.js';

export interface AckRecorder {
  /** Resolves once the ack is in the tenant's gateway_nodes table and in presence; rejects if that write failed. */
  record(tenantId: string, ack: NodeAck, entry: PresenceEntry): Promise<void>;
}

interface Batch {
  acks: Map<string, { ack: NodeAck; entry: PresenceEntry }>;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

/** The newest version every online node has: versions up to it are delivered. Null when there is none. */
export function deliveredThrough(online: Iterable<PresenceEntry>): number | null {
  let lowest: number | null = null;
  for (const entry of online) {
    if (entry.configVersion === null) return null;
    lowest = lowest === null ? entry.configVersion : Math.min(lowest, entry.configVersion);
  }
  return lowest;
}

export function createAckRecorder(db: Pool, presence: Presence): AckRecorder {
  const pending = new Map<string, Batch>();
  const writing = new Set<string>();

  async function write(tenantId: string, batch: Batch): Promise<void> {
    const entries = new Map([...batch.acks].map(([nodeId, { entry }]) => [nodeId, entry]));
    const [marked, read] = await Promise.allSettled([presence.markMany(tenantId, entries), presence.online(tenantId)]);
    const acks = [...batch.acks.values()].map(({ ack }) => ack);
    if (marked.status === 'rejected' || read.status === 'rejected') {
      // Presence (Redis) is down: the acks still reach the database; only delivered_at waits for a later batch.
      await recordAcks(db, tenantId, acks, null);
      throw marked.status === 'rejected' ? marked.reason : (read as PromiseRejectedResult).reason;
    }
    const online = read.value;
    // The batch's own acks count even if the presence read ran before they were marked.
    for (const [nodeId, entry] of entries) online.set(nodeId, entry);
    await recordAcks(db, tenantId, acks, deliveredThrough(online.values()));
  }

  async function drain(tenantId: string): Promise<void> {
    try {
      for (let batch = pending.get(tenantId); batch !== undefined; batch = pending.get(tenantId)) {
        pending.delete(tenantId);
        try {
          await write(tenantId, batch);
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of batch.waiters) waiter.reject(error);
        }
      }
    } finally {
      writing.delete(tenantId);
    }
  }

  return {
    record(tenantId, ack, entry) {
      let batch = pending.get(tenantId);
      if (batch === undefined) pending.set(tenantId, (batch = { acks: new Map(), waiters: [] }));
      batch.acks.set(ack.nodeId, { ack, entry });
      const written = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
      if (!writing.has(tenantId)) {
        writing.add(tenantId);
        // One turn of the event loop first, so the acks read from the sockets in the same I/O phase share a batch.
        setImmediate(() => void drain(tenantId));
      }
      return written;
    },
  };
}
