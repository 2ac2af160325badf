// Config versions (DESIGN §1, §2): every change to a tenant's services, routes or consumers, inside the
// change's own transaction, writes a new numbered snapshot, a pending_config_updates row and a NOTIFY.
// Numbers are allocated under the tenant row's lock, so the admin API and the operator never collide. Retention
// (DESIGN §11): the newest RETAINED_CONFIG_VERSIONS versions are kept, and any older one a node still runs.
import type { Queryable } from '../db/pool.js';
import { CONFIG_CHANNEL, encodeConfigChanged } from '../db/notifications.js';
import { quotedTenantSchema } from './schema-name.js';
import { snapshotListColumns, snapshotOf, type SnapshotLists } from './config-snapshot.js';
import { serialiseSnapshot, type StoredConfig } from './certificate-snapshot.js';

/** How many of the newest versions config_versions keeps, beside the versions nodes still run (DESIGN §11). */
export const RETAINED_CONFIG_VERSIONS = 100;

export interface ConfigVersion {
  version: number;
  hash: string;
}

/** Who made a config version (tenant migration 014): the admin API, the Kubernetes operator or the control plane itself. */
export type ConfigChangedBy = 'api' | 'operator' | 'system';

export interface ConfigChange {
  by: ConfigChangedBy;
  /** A short note for the history ("rollback to version 3"); at most 200 characters. */
  note?: string;
}

export interface LockedTenant {
  id: string;
  plan: string;
}

/** Locks the tenant row for the rest of the transaction; null when the tenant does not exist. */
export async function lockTenantForConfigChange(db: Queryable, tenantId: string): Promise<LockedTenant | null> {
  const { rows } = await db.query<LockedTenant>('SELECT id, plan FROM public.tenants WHERE id = $1 FOR UPDATE', [tenantId]);
  return rows[0] ?? null;
}

export async function latestConfigVersion(db: Queryable, tenantId: string): Promise<(ConfigVersion & { config: StoredConfig }) | null> {
  const { rows } = await db.query<{ version: string; hash: string; snapshot: StoredConfig }>(
    `SELECT version, hash, snapshot FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version DESC LIMIT 1`,
  );
  const row = rows[0];
  return row === undefined ? null : { version: Number(row.version), hash: row.hash, config: row.snapshot };
}

/** The newest version's number, or null when the tenant has none; reads no snapshot. */
export async function newestConfigVersionNumber(db: Queryable, tenantId: string): Promise<number | null> {
  const { rows } = await db.query<{ version: string | null }>(`SELECT max(version) AS version FROM ${quotedTenantSchema(tenantId)}.config_versions`);
  return rows[0]?.version === null || rows[0] === undefined ? null : Number(rows[0].version);
}

/**
 * The newest version's number and hash, with its snapshot only when it is not `known`: a replica that already
 * holds that version (a rescan after its LISTEN session came back) does not read and parse the whole config again.
 */
export async function newestConfigVersionUnless(
  db: Queryable,
  tenantId: string,
  known: ConfigVersion | null,
): Promise<(ConfigVersion & { config: StoredConfig | null }) | null> {
  const { rows } = await db.query<{ version: string; hash: string; snapshot: StoredConfig | null }>(
    `SELECT version, hash, CASE WHEN version = $1 AND hash = $2 THEN NULL ELSE snapshot END AS snapshot
       FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version DESC LIMIT 1`,
    [known?.version ?? null, known?.hash ?? null],
  );
  const row = rows[0];
  return row === undefined ? null : { version: Number(row.version), hash: row.hash, config: row.snapshot };
}

/**
 * Records the tenant's current rows as a new config version, made by `change.by`, when they differ from the
 * newest one. The caller holds the tenant lock (lockTenantForConfigChange) in the same transaction.
 */
export async function recordConfigVersion(db: Queryable, tenantId: string, change: ConfigChange): Promise<ConfigVersion & { changed: boolean }> {
  const schema = quotedTenantSchema(tenantId);
  // The three lists and the newest version's number and hash in one round trip (not its snapshot: reading
  // that back would cost a whole config per write).
  const { rows } = await db.query<SnapshotLists & { latest_version: string | null; latest_hash: string | null }>(
    `SELECT ${snapshotListColumns(tenantId)},
       (SELECT version FROM ${schema}.config_versions ORDER BY version DESC LIMIT 1) AS latest_version,
       (SELECT hash FROM ${schema}.config_versions ORDER BY version DESC LIMIT 1) AS latest_hash`,
  );
  const row = rows[0] as SnapshotLists & { latest_version: string | null; latest_hash: string | null };
  // Serialised once: the canonical text is both what is hashed and what is stored (with certificates, the hash
  // covers their public form: key fingerprints, not sealed keys).
  const snapshot = snapshotOf(row);
  const { json, hash } = serialiseSnapshot(snapshot);
  const latest = row.latest_version === null ? null : { version: Number(row.latest_version), hash: row.latest_hash };
  if (latest !== null && latest.hash === hash) {
    // Same config, but keys re-sealed under a new SECRETS_ENCRYPTION_KEY: the newest version takes the new seals in
    // place (its public form, and so its hash, is unchanged), so the previous key can be retired.
    if (snapshot.certificates !== undefined) {
      await db.query(
        `UPDATE ${schema}.config_versions SET snapshot = $2 WHERE version = $1 AND snapshot->'certificates' IS DISTINCT FROM ($2::jsonb)->'certificates'`,
        [latest.version, json],
      );
    }
    return { version: latest.version, hash, changed: false };
  }
  const version = (latest?.version ?? 0) + 1;
  // The snapshot, the pending update, the retention and the notification in one statement (one round trip). The
  // versions dropped are those that fall out of the newest RETAINED_CONFIG_VERSIONS with this one and that no node's
  // acked_version names (gateway_nodes keeps a row per node, online or not: a node back from an outage may still run it).
  await db.query(
    `WITH snapshot AS (
       INSERT INTO ${schema}.config_versions (version, hash, snapshot, changed_by, change_note) VALUES ($1, $2, $3, $7, $8)
     ), pending AS (
       INSERT INTO public.pending_config_updates (tenant_id, version) VALUES ($4, $1)
     ), pruned AS (
       DELETE FROM ${schema}.config_versions AS v
        WHERE v.version <= $1::bigint - $9::bigint
          AND NOT EXISTS (SELECT 1 FROM ${schema}.gateway_nodes AS n WHERE n.acked_version = v.version)
     )
     SELECT pg_notify($5, $6)`,
    [version, hash, json, tenantId, CONFIG_CHANNEL, encodeConfigChanged({ tenantId, version }), change.by, change.note ?? null, RETAINED_CONFIG_VERSIONS],
  );
  return { version, hash, changed: true };
}
