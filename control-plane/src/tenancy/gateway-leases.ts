// Gateway slots as leases in the tenant's gateway_nodes (lease_holder = the WebSocket connection,
// lease_expires_at renewed by the hub's heartbeat): taking one under the tenant row's lock, renewing,
// releasing, and reading the live ones (presence's fallback while Redis is down).
import type { Pool } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { inTenantTransaction, tenantStatement } from './tenant-transaction.js';

export interface LeaseRequest {
  tenantId: string;
  nodeId: string;
  softwareVersion: string;
  /** The id of the WebSocket connection asking; it becomes the lease holder. */
  connectionId: string;
  leaseMs: number;
}

/** What a lease is weighed against: the tenant's plan and the live leases of the tenant's other nodes. */
export interface GatewaySlots {
  plan: string;
  maxGateways: number | null;
  otherNodesLive: number;
}

export type LeaseOutcome =
  | { taken: true; /** The live connection whose lease this one took (same node id), or null. */ replaced: string | null }
  | { taken: false; reason: 'tenant_not_found' }
  | { taken: false; reason: 'plan_limit_exceeded'; slots: GatewaySlots };

/** A NOTIFY sent at COMMIT when the lease taken was another live connection's. */
export interface ReplacedNotification {
  channel: string;
  payload: string;
}

/**
 * Takes the node's lease or refuses it, in one short transaction as the tenant's role: the tenant row is locked
 * (SELECT … FOR UPDATE, the same lock config versions take), so concurrent requests on any replica are decided
 * one after another; `allowed` weighs the live leases of other nodes against the plan; a taken lease replaces
 * a live one of the same node id, whose holder is told through `replaced` (sent at COMMIT). The node's unhealthy
 * targets start empty with the new connection (its first health report fills them, DESIGN §10). Nothing but these
 * statements runs while the lock is held.
 */
export async function takeGatewayLease(
  pool: Pool,
  request: LeaseRequest,
  allowed: (slots: GatewaySlots) => boolean,
  replaced: ReplacedNotification,
): Promise<LeaseOutcome> {
  const schema = quotedTenantSchema(request.tenantId);
  const client = await pool.connect();
  try {
    // As the tenant's role: its tenant row is the only one it can lock (row-level security), and the lock needs
    // the UPDATE (updated_at) grant the config-change lock already has (public migration 004).
    return await inTenantTransaction(client, request.tenantId, async (): Promise<LeaseOutcome> => {
      const plan = await client.query<{ plan: string; max_gateways: number | null }>(
        'SELECT t.plan, p.max_gateways FROM public.tenants t JOIN public.plans p ON p.name = t.plan WHERE t.id = $1 FOR UPDATE OF t',
        [request.tenantId],
      );
      const limit = plan.rows[0];
      if (limit === undefined) return { taken: false, reason: 'tenant_not_found' };
      // A new statement, so its snapshot is taken after the lock: it sees every lease committed before.
      const live = await client.query<{ others: number; previous: string | null }>(
        `SELECT count(*) FILTER (WHERE node_id <> $1)::int AS others, max(lease_holder) FILTER (WHERE node_id = $1) AS previous
           FROM ${schema}.gateway_nodes WHERE lease_expires_at > now()`,
        [request.nodeId],
      );
      const { others, previous } = live.rows[0] ?? { others: 0, previous: null };
      const slots: GatewaySlots = { plan: limit.plan, maxGateways: limit.max_gateways, otherNodesLive: others };
      if (!allowed(slots)) return { taken: false, reason: 'plan_limit_exceeded', slots };
      await client.query(
        `INSERT INTO ${schema}.gateway_nodes (node_id, software_version, connected_at, last_seen, lease_holder, lease_expires_at)
         VALUES ($1, $2, now(), now(), $3, now() + $4 * interval '1 millisecond')
         ON CONFLICT (node_id) DO UPDATE SET software_version = EXCLUDED.software_version, connected_at = now(), last_seen = now(),
           lease_holder = EXCLUDED.lease_holder, lease_expires_at = EXCLUDED.lease_expires_at, unhealthy_targets = '[]'`,
        [request.nodeId, request.softwareVersion, request.connectionId, request.leaseMs],
      );
      const replacedHolder = previous !== null && previous !== request.connectionId ? previous : null;
      if (replacedHolder !== null) await client.query('SELECT pg_notify($1, $2)', [replaced.channel, replaced.payload]);
      return { taken: true, replaced: replacedHolder };
    });
  } finally {
    client.release();
  }
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

/** A node holding a live lease, in the shape of a presence entry (hub/presence.ts). */
export interface LeasedNode {
  lastSeen: string;
  configVersion: number | null;
  configHash: string | null;
  connection?: string;
}

/** Nodes holding a live lease, by node id. */
export async function leasedNodes(pool: Pool, tenantId: string): Promise<Map<string, LeasedNode>> {
  const { rows } = await tenantStatement<{ node_id: string; acked_version: string | null; acked_hash: string | null; last_seen: Date | null; lease_holder: string | null }>(
    pool,
    tenantId,
    `SELECT node_id, acked_version, acked_hash, last_seen, lease_holder
       FROM ${quotedTenantSchema(tenantId)}.gateway_nodes WHERE lease_expires_at > now()`,
    [],
  );
  const nodes = new Map<string, LeasedNode>();
  for (const row of rows) {
    nodes.set(row.node_id, {
      lastSeen: (row.last_seen ?? new Date(0)).toISOString(),
      configVersion: row.acked_version === null ? null : Number(row.acked_version),
      configHash: row.acked_hash,
      ...(row.lease_holder === null ? {} : { connection: row.lease_holder }),
    });
  }
  return nodes;
}
