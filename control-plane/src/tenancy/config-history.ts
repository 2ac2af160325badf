// A tenant's config history (issue 19): its versions newest first with who made each and what changed, one
// version's snapshot, the diff between two versions, and rollback, which writes a NEW version whose API-managed
// objects are the old version's, leaving the objects Kubernetes manages as they are.
import { gatewayConfigSchema, problemsFromZodError, type GatewayConfig } from '@novagate/gateway/config';
import type pg from 'pg';
import type { Queryable } from '../db/pool.js';
import { publicConfig, type PublicConfig, type StoredConfig } from './certificate-snapshot.js';
import { CertificatesDisabledError, type CertificateInput } from './certificates.js';
import { diffFingerprints, diffSummary, filterDiff, isEmptyDiff, NO_FINGERPRINTS, type ConfigDiff, type DiffKind, type EntityFingerprints } from './config-diff.js';
import { lockTenantForConfigChange, newestConfigVersionNumber, recordConfigVersion, type ConfigChangedBy, type ConfigVersion } from './config-versions.js';
import { isOperatorName } from './entities.js';
import { quotedTenantSchema } from './schema-name.js';
import type { SecretBox } from './secret-box.js';
import { invalidConfig, notFound } from './store-error.js';
import type { TenantDb } from './tenant-db.js';
import { applyApiConfig, assertAtVersion } from './tenant-config.js';

/** A page of the history holds at most this many versions. */
export const MAX_HISTORY_PAGE = 100;

export interface ConfigVersionInfo extends ConfigVersion {
  createdAt: Date;
  /** null for versions made before the control plane recorded it (tenant migration 014). */
  changedBy: ConfigChangedBy | null;
  note: string | null;
}

export interface ConfigVersionEntry extends ConfigVersionInfo {
  /** What this version changed against `since`, the version before it that is still kept (null: the empty config). */
  changes: { since: number | null; summary: string; diff: ConfigDiff };
}

export interface ConfigHistoryPage {
  versions: ConfigVersionEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

/**
 * Per kind, each entity's name and the md5 of its stored JSON, computed by the database so that comparing versions
 * never moves whole snapshots (a page of 100 versions of a large config would be hundreds of megabytes). jsonb's
 * text form is canonical, so equal entities give equal digests; a certificate's sealed key is left out (re-sealing
 * under a new SECRETS_ENCRYPTION_KEY changes it, not the certificate), its fingerprint kept.
 */
function fingerprintsColumn(snapshot: string): string {
  const kind = (key: DiffKind, nameField: string, entity = 'e') =>
    `'${key}', (SELECT coalesce(jsonb_object_agg(e->>'${nameField}', md5(${entity}::text)), '{}'::jsonb) FROM jsonb_array_elements(coalesce(${snapshot}->'${key}', '[]'::jsonb)) e)`;
  return `jsonb_build_object(${kind('services', 'name')}, ${kind('routes', 'name')}, ${kind('consumers', 'username')}, ${kind('listeners', 'name')}, ${kind('certificates', 'name', `(e #- '{key,sealed}')`)}) AS fingerprints`;
}

interface VersionRow {
  version: string;
  hash: string;
  created_at: Date;
  changed_by: ConfigChangedBy | null;
  change_note: string | null;
}

const infoOf = (row: VersionRow): ConfigVersionInfo => ({
  version: Number(row.version),
  hash: row.hash,
  createdAt: row.created_at,
  changedBy: row.changed_by,
  note: row.change_note,
});

/** The versions older than `before` (all, when absent), newest first, at most `limit` (1 to MAX_HISTORY_PAGE). */
export async function listConfigVersions(db: TenantDb, tenantId: string, page: { before?: number; limit: number }): Promise<ConfigHistoryPage> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_HISTORY_PAGE) throw new RangeError(`limit must be 1 to ${MAX_HISTORY_PAGE}`);
  // One row more than the page: the version before the page's oldest, which its changes are measured against and
  // which says there is a next page.
  const { rows } = await db.query<VersionRow & { fingerprints: EntityFingerprints }>(
    tenantId,
    `SELECT version, hash, created_at, changed_by, change_note, ${fingerprintsColumn('snapshot')}
       FROM ${quotedTenantSchema(tenantId)}.config_versions
      WHERE $1::bigint IS NULL OR version < $1
      ORDER BY version DESC
      LIMIT $2`,
    [page.before ?? null, page.limit + 1],
  );
  const versions = rows.slice(0, page.limit).map((row, index) => {
    const previous = rows[index + 1];
    const diff = diffFingerprints(previous?.fingerprints ?? NO_FINGERPRINTS, row.fingerprints);
    return { ...infoOf(row), changes: { since: previous === undefined ? null : Number(previous.version), summary: diffSummary(diff), diff } };
  });
  const last = versions.at(-1);
  return { versions, nextBefore: rows.length > page.limit && last !== undefined ? last.version : null };
}

/** One version with its snapshot as GET /config shows a config (every certificate key as its fingerprint). */
export async function configVersionSnapshot(db: TenantDb, tenantId: string, version: number): Promise<ConfigVersionInfo & { config: PublicConfig }> {
  const { rows } = await db.query<VersionRow & { snapshot: StoredConfig }>(
    tenantId,
    `SELECT version, hash, created_at, changed_by, change_note, snapshot FROM ${quotedTenantSchema(tenantId)}.config_versions WHERE version = $1`,
    [version],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(`config version ${version}`);
  return { ...infoOf(row), config: publicConfig(row.snapshot) };
}

async function fingerprintsOf(db: Queryable, tenantId: string, versions: readonly number[]): Promise<Map<number, EntityFingerprints>> {
  const { rows } = await db.query<{ version: string; fingerprints: EntityFingerprints }>(
    `SELECT version, ${fingerprintsColumn('snapshot')} FROM ${quotedTenantSchema(tenantId)}.config_versions WHERE version = ANY($1::bigint[])`,
    [versions],
  );
  return new Map(rows.map((row) => [Number(row.version), row.fingerprints]));
}

async function fingerprintsOrNotFound(db: Queryable, tenantId: string, from: number, to: number): Promise<[EntityFingerprints, EntityFingerprints]> {
  const found = await fingerprintsOf(db, tenantId, [from, to]);
  const a = found.get(from);
  const b = found.get(to);
  if (a === undefined) throw notFound(`config version ${from}`);
  if (b === undefined) throw notFound(`config version ${to}`);
  return [a, b];
}

/** What changed from version `from` to version `to` (either order), by kind and name. */
export async function diffConfigVersions(db: TenantDb, tenantId: string, from: number, to: number): Promise<{ from: number; to: number; summary: string; diff: ConfigDiff }> {
  const [a, b] = await db.transaction(tenantId, 'read', (client) => fingerprintsOrNotFound(client, tenantId, from, to));
  const diff = diffFingerprints(a, b);
  return { from, to, summary: diffSummary(diff), diff };
}

export interface RollbackResult extends ConfigVersion {
  /** false when the tenant's config already was the target's (no new version was written). */
  changed: boolean;
  rolledBackTo: number;
  /**
   * What the target version had differently in objects Kubernetes manages (`k8s.`/`gwapi.` names, or managed by
   * the operator now): the rollback left those as they are, the operator's resources being their source.
   */
  keptAsIs: ConfigDiff;
  /** Consumers (by username) whose keys revoked since the target version stayed revoked: a rollback never revives a key. */
  revokedKeysLeftOut: string[];
  /**
   * Consumers (by username) with keys made since the target version: the rollback took their hashes out, so their
   * key records are revoked too (the keys page shows them revoked, not live keys the gateways refuse).
   */
  keysRevokedByRollback: string[];
  message: string;
}

/** Per kind, the names of the objects the operator manages now (some, a Consumer's username, have no prefix). */
async function operatorManagedNames(client: pg.PoolClient, tenantId: string): Promise<Record<DiffKind, Set<string>>> {
  const schema = quotedTenantSchema(tenantId);
  const { rows } = await client.query<{ kind: DiffKind; name: string }>(
    `SELECT 'services' AS kind, name FROM ${schema}.services WHERE managed_by = 'kubernetes'
     UNION ALL SELECT 'routes', name FROM ${schema}.routes WHERE managed_by = 'kubernetes'
     UNION ALL SELECT 'consumers', username FROM ${schema}.consumers WHERE managed_by = 'kubernetes'
     UNION ALL SELECT 'listeners', name FROM ${schema}.listeners WHERE managed_by = 'kubernetes'
     UNION ALL SELECT 'certificates', name FROM ${schema}.certificates WHERE managed_by = 'kubernetes'`,
  );
  const names: Record<DiffKind, Set<string>> = { services: new Set(), routes: new Set(), consumers: new Set(), listeners: new Set(), certificates: new Set() };
  for (const row of rows) names[row.kind].add(row.name);
  return names;
}

/**
 * The target's certificates as a PUT /config would carry them: a key the tenant still stores under that name as
 * its fingerprint (kept), any other opened from the target's seal (the certificate was deleted or replaced since).
 */
async function certificateInputsOf(
  client: pg.PoolClient,
  tenantId: string,
  target: NonNullable<StoredConfig['certificates']>,
  box: SecretBox | undefined,
  version: number,
): Promise<CertificateInput[]> {
  const { rows } = await client.query<{ name: string; key_sha256: string | null }>(`SELECT name, key_sha256 FROM ${quotedTenantSchema(tenantId)}.certificates`);
  const storedKeys = new Map(rows.map((row) => [row.name, row.key_sha256]));
  return target.map(({ name, cert, key }, index) => {
    if (key === undefined) return { name, cert };
    if (storedKeys.get(name) === key.sha256) return { name, cert, key: { sha256: key.sha256 } };
    if (box === undefined) throw new CertificatesDisabledError();
    try {
      return { name, cert, key: box.open(key.sealed, tenantId) };
    } catch {
      throw invalidConfig(
        [{ path: `certificates[${index}].key`, message: `the key of version ${version} can no longer be opened (sealed under a SECRETS_ENCRYPTION_KEY no longer accepted)` }],
        'version cannot be restored',
      );
    }
  });
}

/** The hashes of every consumer key revoked through the API (consumer_keys.revoked_at, tenant migration 006). */
async function revokedKeyHashes(client: pg.PoolClient, tenantId: string): Promise<Set<string>> {
  const { rows } = await client.query<{ key_hash: string }>(`SELECT key_hash FROM ${quotedTenantSchema(tenantId)}.consumer_keys WHERE revoked_at IS NOT NULL`);
  return new Set(rows.map((row) => row.key_hash));
}

/** The consumer without the keys revoked since (a leaked key must stay dead); its username noted in `leftOut` when any went. */
function withoutRevokedKeys<C extends { username: string; apiKeyHashes?: string[] }>(consumer: C, revoked: ReadonlySet<string>, leftOut: string[]): C {
  if (consumer.apiKeyHashes === undefined || !consumer.apiKeyHashes.some((hash) => revoked.has(hash))) return consumer;
  leftOut.push(consumer.username);
  return { ...consumer, apiKeyHashes: consumer.apiKeyHashes.filter((hash) => !revoked.has(hash)) };
}

function revokedKeysMessage(leftOut: readonly string[]): string {
  return leftOut.length === 0 ? '' : `consumer keys revoked since stay revoked (consumers ${leftOut.join(', ')})`;
}

/**
 * Marks revoked every live key record whose hash its consumer no longer holds (keys made after the version rolled
 * back to); answers the consumers' usernames, sorted and unique.
 */
async function revokeKeysNoLongerHeld(client: pg.PoolClient, tenantId: string): Promise<string[]> {
  const schema = quotedTenantSchema(tenantId);
  const { rows } = await client.query<{ username: string }>(
    `UPDATE ${schema}.consumer_keys k SET revoked_at = now()
       FROM ${schema}.consumers c
      WHERE k.consumer_id = c.id AND k.revoked_at IS NULL AND NOT (k.key_hash = ANY (c.api_key_hashes))
      RETURNING c.username`,
  );
  return [...new Set(rows.map((row) => row.username))].sort();
}

function keysRevokedMessage(target: number, usernames: readonly string[]): string {
  return usernames.length === 0 ? '' : `consumer keys made since version ${target} are revoked (consumers ${usernames.join(', ')})`;
}

function keptAsIsMessage(keptAsIs: ConfigDiff): string {
  if (isEmptyDiff(keptAsIs)) return '';
  return `objects managed by Kubernetes were left as they are (their resources are their source; ${diffSummary(keptAsIs)} in the target version)`;
}

/**
 * Writes a new version whose API-managed services, routes, consumers, listeners and certificates are those of
 * version `target`, in one transaction under the tenant lock. `expectedVersion` is the precondition of every config
 * write (version_conflict once the tenant has moved on); not_found for a version the tenant does not have.
 */
export async function rollbackConfig(
  db: TenantDb,
  tenantId: string,
  target: number,
  expectedVersion: number,
  settings: { box: SecretBox | undefined; now: Date },
): Promise<RollbackResult> {
  return db.transaction(tenantId, 'write', async (client) => {
    const tenant = await lockTenantForConfigChange(client, tenantId);
    if (tenant === null) throw notFound('tenant');
    const latest = (await newestConfigVersionNumber(client, tenantId)) ?? 0;
    assertAtVersion(latest, expectedVersion);
    const { rows } = await client.query<{ snapshot: StoredConfig }>(`SELECT snapshot FROM ${quotedTenantSchema(tenantId)}.config_versions WHERE version = $1`, [target]);
    const snapshot = rows[0]?.snapshot;
    if (snapshot === undefined) throw notFound(`config version ${target}`);

    const managed = await operatorManagedNames(client, tenantId);
    const byKubernetes = (kind: DiffKind, name: string) => isOperatorName(name) || managed[kind].has(name);
    const [now, then] = await fingerprintsOrNotFound(client, tenantId, latest, target);
    const keptAsIs = filterDiff(diffFingerprints(now, then), byKubernetes);

    const revoked = await revokedKeyHashes(client, tenantId);
    const keysLeftOut: string[] = [];
    const body = {
      services: snapshot.services.filter((s) => !byKubernetes('services', s.name)),
      routes: snapshot.routes.filter((r) => !byKubernetes('routes', r.name)),
      consumers: snapshot.consumers.filter((c) => !byKubernetes('consumers', c.username)).map((consumer) => withoutRevokedKeys(consumer, revoked, keysLeftOut)),
      listeners: (snapshot.listeners ?? []).filter((l) => !byKubernetes('listeners', l.name)),
    };
    // A stored snapshot was valid when written; the schema may have tightened since.
    const parsed = gatewayConfigSchema.safeParse(body);
    if (!parsed.success) throw invalidConfig(problemsFromZodError(parsed.error), `version ${target} is no longer a valid config`);
    const certificates = await certificateInputsOf(
      client,
      tenantId,
      (snapshot.certificates ?? []).filter((c) => !byKubernetes('certificates', c.name)),
      settings.box,
      target,
    );
    await applyApiConfig(client, tenantId, tenant.plan, parsed.data as GatewayConfig, { certificates, box: settings.box, now: settings.now });
    const keysRevoked = await revokeKeysNoLongerHeld(client, tenantId);
    const recorded = await recordConfigVersion(client, tenantId, { by: 'api', note: `rollback to version ${target}` });
    const message = [keptAsIsMessage(keptAsIs), revokedKeysMessage(keysLeftOut), keysRevokedMessage(target, keysRevoked)].filter((part) => part !== '').join('; ');
    return {
      version: recorded.version,
      hash: recorded.hash,
      changed: recorded.changed,
      rolledBackTo: target,
      keptAsIs,
      revokedKeysLeftOut: keysLeftOut,
      keysRevokedByRollback: keysRevoked,
      message,
    };
  });
}
