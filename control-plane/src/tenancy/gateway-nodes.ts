// The tenant's gateway_nodes table (DESIGN §2): what survives a Redis restart and what the operator reads, and
// the delivered_at marks that acks make in pending_config_updates. The hub's writes run as the tenant's
// database role (tenant-transaction.ts).
import type { Pool, Queryable } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { tenantStatement } from './tenant-transaction.js';

export async function recordHello(pool: Pool, tenantId: string, nodeId: string, softwareVersion: string): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    `INSERT INTO ${quotedTenantSchema(tenantId)}.gateway_nodes (node_id, software_version, connected_at, last_seen)
     VALUES ($1, $2, now(), now())
     ON CONFLICT (node_id) DO UPDATE SET software_version = EXCLUDED.software_version, connected_at = now(), last_seen = now()`,
    [nodeId, softwareVersion],
  );
}

export interface NodeAck {
  nodeId: string;
  version: number;
  hash: string;
}

/**
 * Records many nodes' acks of one tenant in one statement, and in the same statement marks the tenant's pending
 * updates up to `deliveredThrough` as delivered (DESIGN §2: every gateway online at that moment acked them).
 */
export async function recordAcks(pool: Pool, tenantId: string, acks: NodeAck[], deliveredThrough: number | null): Promise<void> {
  if (acks.length === 0 && deliveredThrough === null) return;
  await tenantStatement(
    pool,
    tenantId,
    `WITH acked AS (
       UPDATE ${quotedTenantSchema(tenantId)}.gateway_nodes g
          SET acked_version = a.version, acked_hash = a.hash, last_seen = now()
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS a(node_id, version, hash)
        WHERE g.node_id = a.node_id
     )
     UPDATE public.pending_config_updates SET delivered_at = now()
      WHERE $5::bigint IS NOT NULL AND tenant_id = $4 AND version <= $5 AND delivered_at IS NULL`,
    [acks.map((a) => a.nodeId), acks.map((a) => a.version), acks.map((a) => a.hash), tenantId, deliveredThrough],
  );
}

/** Marks the tenant's pending updates up to `version` as delivered (no gateway online lacks them). */
export async function markDeliveredThrough(pool: Pool, tenantId: string, version: number): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    'UPDATE public.pending_config_updates SET delivered_at = now() WHERE tenant_id = $1 AND version <= $2 AND delivered_at IS NULL',
    [tenantId, version],
  );
}

export async function recordNack(pool: Pool, tenantId: string, nodeId: string, version: number, message: string): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    `UPDATE ${quotedTenantSchema(tenantId)}.gateway_nodes
        SET last_nack_version = $2, last_nack_message = $3, last_seen = now() WHERE node_id = $1`,
    [nodeId, version, message],
  );
}

/** An upstream target a node reports unhealthy (DESIGN §10 `health`). */
export interface UnhealthyTarget {
  service: string;
  target: string;
}

/**
 * Replaces the node's unhealthy targets with `targets` (the hub bounds the list), if `connectionId` still holds
 * the node's lease: a late write of a replaced connection never overwrites its successor's report.
 */
export async function recordUnhealthyTargets(
  pool: Pool,
  tenantId: string,
  nodeId: string,
  connectionId: string,
  targets: readonly UnhealthyTarget[],
): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    `UPDATE ${quotedTenantSchema(tenantId)}.gateway_nodes SET unhealthy_targets = $3::jsonb, last_seen = now()
      WHERE node_id = $1 AND lease_holder = $2`,
    [nodeId, connectionId, JSON.stringify(targets.map(({ service, target }) => ({ service, target })))],
  );
}

export interface GatewayNodeRow {
  node_id: string;
  software_version: string | null;
  acked_version: string | null;
  acked_hash: string | null;
  last_nack_version: string | null;
  last_nack_message: string | null;
  connected_at: Date | null;
  last_seen: Date | null;
  unhealthy_targets: UnhealthyTarget[];
}

export async function gatewayNodes(db: Queryable, tenantId: string, nodeIds: string[]): Promise<GatewayNodeRow[]> {
  const { rows } = await db.query<GatewayNodeRow>(
    `SELECT * FROM ${quotedTenantSchema(tenantId)}.gateway_nodes WHERE node_id = ANY($1::text[]) ORDER BY node_id`,
    [nodeIds],
  );
  return rows;
}

/** What the operator's Programmed condition reads of a gateway: the versions it acknowledged and refused. */
export interface GatewayNodeState {
  nodeId: string;
  ackedVersion: number | null;
  lastNackVersion: number | null;
  lastNackMessage: string | null;
}

/** The tenant's gateways seen in the last `seconds`, by node id. */
export async function gatewayNodesSeenWithin(db: Queryable, tenantId: string, seconds: number): Promise<GatewayNodeState[]> {
  const { rows } = await db.query<{ node_id: string; acked_version: string | null; last_nack_version: string | null; last_nack_message: string | null }>(
    `SELECT node_id, acked_version, last_nack_version, last_nack_message FROM ${quotedTenantSchema(tenantId)}.gateway_nodes
      WHERE last_seen > now() - make_interval(secs => $1) ORDER BY node_id`,
    [seconds],
  );
  return rows.map((row) => ({
    nodeId: row.node_id,
    ackedVersion: row.acked_version === null ? null : Number(row.acked_version),
    lastNackVersion: row.last_nack_version === null ? null : Number(row.last_nack_version),
    lastNackMessage: row.last_nack_message,
  }));
}
