// Gateway admission (issue 12, item 7): whether a hello may take one of its plan's gateway slots, decided in
// PostgreSQL so that every replica agrees and it keeps working while Redis is down. A slot is a lease in the
// tenant's gateway_nodes (lease_holder = the WebSocket connection, lease_expires_at renewed by the heartbeat).
import type { Pool } from '../db/pool.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { inTenantTransaction, tenantStatement } from '../tenancy/tenant-transaction.js';
import { encodeGatewayReplaced, GATEWAY_REPLACED_CHANNEL, type ReplacedNotice } from '../db/notifications.js';

export interface AdmissionRequest {
  tenantId: string;
  nodeId: string;
  softwareVersion: string;
  /** The id of the WebSocket connection asking; it becomes the lease holder. */
  connectionId: string;
  leaseMs: number;
}

export type Admission =
  | { admitted: true; /** The live connection whose lease this one took (same node id), or null. */ replaced: string | null }
  | { admitted: false; reason: string };

/**
 * Admits a gateway node or refuses it, in one short transaction: the tenant row is locked (SELECT … FOR UPDATE,
 * the same lock config versions take), so concurrent hellos on any replica are decided one after another; the
 * live leases of other nodes are counted against the plan's max_gateways; an admitted node takes its lease (a
 * live lease of the same node id is taken over and its holder told through NOTIFY, sent at COMMIT). Nothing
 * but these statements runs while the lock is held.
 */
export async function admitGateway(pool: Pool, request: AdmissionRequest): Promise<Admission> {
  const schema = quotedTenantSchema(request.tenantId);
  const client = await pool.connect();
  try {
    // As the tenant's role: its tenant row is the only one it can lock (row-level security), and the lock needs
    // the UPDATE (updated_at) grant the config-change lock already has (public migration 004).
    return await inTenantTransaction(client, request.tenantId, async () => {
      const plan = await client.query<{ plan: string; max_gateways: number | null }>(
        'SELECT t.plan, p.max_gateways FROM public.tenants t JOIN public.plans p ON p.name = t.plan WHERE t.id = $1 FOR UPDATE OF t',
        [request.tenantId],
      );
      const limit = plan.rows[0];
      if (limit === undefined) return { admitted: false, reason: 'tenant_not_found: the tenant of this API key no longer exists' };
      // A new statement, so its snapshot is taken after the lock: it sees every lease committed before.
      const live = await client.query<{ others: number; previous: string | null }>(
        `SELECT count(*) FILTER (WHERE node_id <> $1)::int AS others, max(lease_holder) FILTER (WHERE node_id = $1) AS previous
           FROM ${schema}.gateway_nodes WHERE lease_expires_at > now()`,
        [request.nodeId],
      );
      const { others, previous } = live.rows[0] ?? { others: 0, previous: null };
      if (limit.max_gateways !== null && others >= limit.max_gateways) {
        return { admitted: false, reason: `plan_limit_exceeded: the ${limit.plan} plan allows at most ${limit.max_gateways} gateways` };
      }
      await client.query(
        `INSERT INTO ${schema}.gateway_nodes (node_id, software_version, connected_at, last_seen, lease_holder, lease_expires_at)
         VALUES ($1, $2, now(), now(), $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (node_id) DO UPDATE SET software_version = EXCLUDED.software_version, connected_at = now(), last_seen = now(),
           lease_holder = EXCLUDED.lease_holder, lease_expires_at = EXCLUDED.lease_expires_at`,
        [request.nodeId, request.softwareVersion, request.connectionId, request.leaseMs],
      );
      const replaced = previous !== null && previous !== request.connectionId ? previous : null;
      if (replaced !== null) {
        const notice: ReplacedNotice = { tenantId: request.tenantId, nodeId: request.nodeId, connection: request.connectionId };
        await client.query('SELECT pg_notify($1, $2)', [GATEWAY_REPLACED_CHANNEL, encodeGatewayReplaced(notice)]);
      }
      return { admitted: true, replaced };
    });
  } finally {
    client.release();
  }
}

export interface AdmissionQueue {
  /** Runs `work` after every earlier admission of the same tenant on this replica has finished. */
  run<T>(tenantId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Admissions of one tenant, one at a time on this replica: a burst of hellos (or an attacker's flood of them)
 * then holds one pooled connection waiting for the tenant row lock, not one per hello. Each connection has at
 * most one hello, so the queue is bounded by the connections.
 */
export function createAdmissionQueue(): AdmissionQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run(tenantId, work) {
      const result = (tails.get(tenantId) ?? Promise.resolve()).then(work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(tenantId, tail);
      void tail.then(() => {
        if (tails.get(tenantId) === tail) tails.delete(tenantId);
      });
      return result;
    },
  };
}

export interface HeldLease {
  nodeId: string;
  connectionId: string;
}

export type LeaseState = 'renewed' | 'taken' | 'expired';

/**
 * Renews the leases this replica's connections hold, in one statement per tenant. A lease someone else now
 * holds is 'taken' (a NOTIFY that this replica missed, say during a LISTEN reconnect); one that ran out (this
 * replica could not renew it for a whole lease, so its slot may have been given away) is 'expired'. No row
 * lock on the tenant: renewing never changes how many leases are live.
 */
export async function renewLeases(pool: Pool, tenantId: string, held: HeldLease[], leaseMs: number): Promise<Map<string, LeaseState>> {
  const states = new Map<string, LeaseState>();
  if (held.length === 0) return states;
  const schema = quotedTenantSchema(tenantId);
  // The outer SELECT sees the rows as they were when the statement began (one snapshot). A lease that was this
  // connection's and live then, but not renewed, was changed meanwhile by a concurrent admission: taken.
  const { rows } = await tenantStatement<{ connection_id: string; renewed: boolean; holder: string | null; live: boolean | null }>(
    pool,
    tenantId,
    `WITH mine AS (SELECT * FROM unnest($1::text[], $2::text[]) AS m(node_id, connection_id)),
          renewed AS (
            UPDATE ${schema}.gateway_nodes g
               SET last_seen = now(), lease_expires_at = now() + $3 * interval '1 millisecond'
              FROM mine
             WHERE g.node_id = mine.node_id AND g.lease_holder = mine.connection_id AND g.lease_expires_at > now()
            RETURNING g.lease_holder)
     SELECT mine.connection_id, renewed.lease_holder IS NOT NULL AS renewed, g.lease_holder AS holder, g.lease_expires_at > now() AS live
       FROM mine
       LEFT JOIN renewed ON renewed.lease_holder = mine.connection_id
       LEFT JOIN ${schema}.gateway_nodes g ON g.node_id = mine.node_id`,
    [held.map((lease) => lease.nodeId), held.map((lease) => lease.connectionId), leaseMs],
  );
  for (const row of rows) states.set(row.connection_id, leaseState(row));
  return states;
}

function leaseState(row: { connection_id: string; renewed: boolean; holder: string | null; live: boolean | null }): LeaseState {
  if (row.renewed) return 'renewed';
  if (row.holder === row.connection_id) return row.live === true ? 'taken' : 'expired';
  return row.holder === null ? 'expired' : 'taken';
}

/** Frees the slot at once when a connection ends, if the lease is still its own (a replacement's stays). */
export async function releaseLease(pool: Pool, tenantId: string, nodeId: string, connectionId: string): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    `UPDATE ${quotedTenantSchema(tenantId)}.gateway_nodes SET lease_expires_at = now(), lease_holder = NULL
      WHERE node_id = $1 AND lease_holder = $2`,
    [nodeId, connectionId],
  );
}
