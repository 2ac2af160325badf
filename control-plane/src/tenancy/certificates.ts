// A tenant's pushed TLS certificates (DESIGN §10 `certificates`): checked, the key sealed (secret-box.ts), stored,
// listed without the key, and recorded in a new config version by every write, in one tenant transaction. An entry
// without a key is a CA bundle (migration 013): nothing to seal, and only services[].tls.caCertificate may name it.
import type { ConfigProblem } from '@novagate/gateway/config';
import type pg from 'pg';
import type { Queryable } from '../db/pool.js';
import { isPgError, PG_UNIQUE_VIOLATION } from '../db/pool.js';
import { inspectCertificateChain, inspectPrivateKey, keyMatchesLeaf, type CertificateSummary, type ChainEntry } from './certificate-pem.js';
import { lockTenantForConfigChange, recordConfigVersion } from './config-versions.js';
import { describeRef, type EntityRef } from './entity-ref.js';
import { quotedTenantSchema } from './schema-name.js';
import type { SecretBox } from './secret-box.js';
import { alreadyExists, conflict, invalidConfig, managedByOperator, notFound, StoreError } from './store-error.js';
import type { TenantDb } from './tenant-db.js';

/** A certificate as written: the key as PEM, `{sha256}` to keep the stored key (renewal with the same key), or none (a CA bundle). */
export interface CertificateInput {
  name: string;
  cert: string;
  key?: string | { sha256: string } | undefined;
}

/** A stored certificate as the API reads it: never the key, sealed or not. */
export interface CertificateRow {
  id: string;
  name: string;
  cert_pem: string;
  /** null for a CA bundle (no key). */
  key_sha256: string | null;
  names: string[];
  chain: ChainEntry[];
  fingerprint_sha256: string;
  not_before: string;
  not_after: string;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

/** The columns one write stores. */
export interface CertificateRecord {
  name: string;
  certPem: string;
  /** Both null for a CA bundle. */
  keySealed: string | null;
  keySha256: string | null;
  names: string[];
  chain: ChainEntry[];
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
const COLUMNS = `id, name, cert_pem, key_sha256, names, chain, fingerprint_sha256, ${ts('not_before')}, ${ts('not_after')}, managed_by, ${ts('created_at')}, ${ts('updated_at')}`;

const table = (tenantId: string) => `${quotedTenantSchema(tenantId)}.certificates`;

/**
 * Checks `input` and seals its key; `existing` is the stored certificate of that name, whose key a `{sha256}`
 * input keeps (re-sealed under the current key). Problems name `path` + field; none quotes the PEM. A CA bundle
 * (no key) needs no `box`; a key without one is CertificatesDisabledError.
 */
export function certificateRecord(
  input: CertificateInput,
  existing: { key_sha256: string | null; key_sealed: string | null } | null,
  box: SecretBox | undefined,
  tenantId: string,
  now: Date,
  path: string,
): CertificateRecord {
  const chain = inspectCertificateChain(input.cert, `${path}cert`, now, input.key === undefined);
  if (input.key === undefined) {
    if (!chain.ok) throw invalidConfig(chain.problems, 'certificate is invalid');
    return { name: input.name, ...summaryColumns(chain.value), keySealed: null, keySha256: null };
  }
  if (box === undefined) throw certificatesDisabled();
  const problems: ConfigProblem[] = [];
  if (!chain.ok) problems.push(...chain.problems);
  let keyPem: string | null = null;
  let keySha256: string | null = null;
  if (typeof input.key === 'string') {
    const key = inspectPrivateKey(input.key, `${path}key`);
    if (!key.ok) problems.push(...key.problems);
    else [keyPem, keySha256] = [key.value.pem, key.value.sha256];
  } else if (existing === null || existing.key_sha256 === null || existing.key_sealed === null || existing.key_sha256 !== input.key.sha256.toLowerCase()) {
    const message =
      existing === null || existing.key_sha256 === null ? 'no stored certificate of this name has a key to keep; send the key as PEM' : 'is not the SHA-256 of the stored key';
    problems.push({ path: `${path}key.sha256`, message });
  } else {
    [keyPem, keySha256] = [box.open(existing.key_sealed, tenantId), existing.key_sha256];
  }
  if (chain.ok && keyPem !== null && !keyMatchesLeaf(chain.value.certPem, inspectedKey(keyPem))) {
    problems.push({ path: `${path}key`, message: 'does not match the first certificate of the chain' });
  }
  if (problems.length > 0 || !chain.ok || keyPem === null || keySha256 === null) throw invalidConfig(problems, 'certificate is invalid');
  const sealed =
    existing !== null && existing.key_sealed !== null && existing.key_sha256 === keySha256 && box.isCurrent(existing.key_sealed) ? existing.key_sealed : box.seal(keyPem, tenantId);
  return { name: input.name, ...summaryColumns(chain.value), keySealed: sealed, keySha256 };
}

function summaryColumns(summary: CertificateSummary): Omit<CertificateRecord, 'name' | 'keySealed' | 'keySha256'> {
  return {
    certPem: summary.certPem,
    names: summary.names,
    chain: summary.chain,
    fingerprintSha256: summary.fingerprintSha256,
    notBefore: summary.notBefore,
    notAfter: summary.notAfter,
  };
}

function inspectedKey(pem: string) {
  const key = inspectPrivateKey(pem, 'key');
  if (!key.ok) throw new StoreError('validation_failed', 'the stored key could not be read');
  return key.value.key;
}

function explain(error: unknown): unknown {
  if (isPgError(error, PG_UNIQUE_VIOLATION) && error.constraint === 'certificates_name_key') {
    return alreadyExists('a certificate with this name already exists', 'name');
  }
  return error;
}

interface StoredKey {
  id: string;
  name: string;
  cert_pem: string;
  key_sha256: string | null;
  key_sealed: string | null;
  managed_by: string;
}

/** Every stored certificate's chain, key fingerprint and sealed key, by name (what PUT /config keeps or replaces). */
async function storedKeysByName(db: Queryable, tenantId: string): Promise<Map<string, StoredKey>> {
  const { rows } = await db.query<StoredKey>(`SELECT id, name, cert_pem, key_sha256, key_sealed, managed_by FROM ${table(tenantId)}`);
  return new Map(rows.map((row) => [row.name, row]));
}

/** The certificate exactly as GET /config shows it: the stored chain and the stored key's fingerprint (or no key, for a CA bundle). */
function isUnchanged(input: CertificateInput, stored: StoredKey): boolean {
  if (input.cert !== stored.cert_pem) return false;
  if (input.key === undefined) return stored.key_sha256 === null;
  return typeof input.key !== 'string' && input.key.sha256.toLowerCase() === stored.key_sha256;
}

/** A certificate row the operator manages (`managed_by = 'kubernetes'`), as it compares and re-seals it. */
export interface ManagedCertificate {
  id: string;
  cert_pem: string;
  key_sha256: string | null;
  key_sealed: string | null;
}

/** The tenant's operator-managed certificates by name. */
export async function readManagedCertificates(db: Queryable, tenantId: string): Promise<Map<string, ManagedCertificate>> {
  const { rows } = await db.query<ManagedCertificate & { name: string }>(
    `SELECT id, name, cert_pem, key_sha256, key_sealed FROM ${table(tenantId)} WHERE managed_by = 'kubernetes'`,
  );
  return new Map(rows.map(({ name, ...row }) => [name, row]));
}

export async function insertCertificate(db: Queryable, tenantId: string, record: CertificateRecord, managedBy: 'api' | 'kubernetes'): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO ${table(tenantId)} (name, cert_pem, key_sealed, key_sha256, names, chain, fingerprint_sha256, not_before, not_after, managed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [record.name, record.certPem, record.keySealed, record.keySha256, record.names, JSON.stringify(record.chain), record.fingerprintSha256, record.notBefore, record.notAfter, managedBy],
  );
  return (rows[0] as { id: string }).id;
}

export async function updateCertificateRow(db: Queryable, tenantId: string, id: string, record: CertificateRecord): Promise<void> {
  await db.query(
    `UPDATE ${table(tenantId)}
        SET name = $2, cert_pem = $3, key_sealed = $4, key_sha256 = $5, names = $6, chain = $7, fingerprint_sha256 = $8,
            not_before = $9, not_after = $10, updated_at = now()
      WHERE id = $1`,
    [id, record.name, record.certPem, record.keySealed, record.keySha256, record.names, JSON.stringify(record.chain), record.fingerprintSha256, record.notBefore, record.notAfter],
  );
}

export async function deleteCertificates(db: Queryable, tenantId: string, ids: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${table(tenantId)} WHERE id = ANY($1::uuid[])`, [ids]);
}

async function findCertificate(db: Queryable, tenantId: string, ref: EntityRef): Promise<CertificateRow & { key_sealed: string | null }> {
  const { rows } = await db.query<CertificateRow & { key_sealed: string | null }>(
    `SELECT ${COLUMNS}, key_sealed FROM ${table(tenantId)} WHERE ${ref.by === 'id' ? 'id = $1::uuid' : 'name = $1'}`,
    [ref.by === 'id' ? ref.id : ref.name],
  );
  if (rows[0] === undefined) throw notFound(ref.by === 'id' ? 'certificate' : describeRef('certificate', ref));
  return rows[0];
}

function withoutKey(row: CertificateRow & { key_sealed?: string | null }): CertificateRow {
  const { key_sealed: _sealed, ...rest } = row;
  return rest;
}

export async function listCertificates(db: TenantDb, tenantId: string): Promise<CertificateRow[]> {
  const { rows } = await db.query<CertificateRow>(tenantId, `SELECT ${COLUMNS} FROM ${table(tenantId)} ORDER BY name`);
  return rows;
}

export async function getCertificate(db: TenantDb, tenantId: string, ref: EntityRef): Promise<CertificateRow> {
  return db.transaction(tenantId, 'read', async (client) => withoutKey(await findCertificate(client, tenantId, ref)));
}

/** Runs a certificate write under the tenant lock, records the config version, answers the row as it now reads. */
async function writeCertificate(
  db: TenantDb,
  tenantId: string,
  write: (client: pg.PoolClient) => Promise<string | null>,
): Promise<CertificateRow | null> {
  try {
    return await db.transaction(tenantId, 'write', async (client) => {
      if ((await lockTenantForConfigChange(client, tenantId)) === null) throw notFound('tenant');
      const id = await write(client);
      const row = id === null ? null : withoutKey(await findCertificate(client, tenantId, { by: 'id', id }));
      await recordConfigVersion(client, tenantId, { by: 'api' });
      return row;
    });
  } catch (error) {
    throw explain(error);
  }
}

/** The most certificates one tenant stores (as with consumer keys, one more is a 409 `conflict`). */
export const MAX_CERTIFICATES_PER_TENANT = 1000;

export async function createCertificate(db: TenantDb, tenantId: string, input: CertificateInput, box: SecretBox | undefined, now: Date): Promise<CertificateRow> {
  const row = await writeCertificate(db, tenantId, async (client) => {
    const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table(tenantId)}`);
    if ((rows[0]?.count ?? 0) >= MAX_CERTIFICATES_PER_TENANT) throw conflict(`a tenant stores at most ${MAX_CERTIFICATES_PER_TENANT} certificates`);
    const record = certificateRecord(input, null, box, tenantId, now, '');
    // A listener may already name a certificate that does not exist yet: a CA bundle cannot be it.
    if (record.keySha256 === null) await assertNoKeyNeeded(client, tenantId, record.name, 'key');
    return insertCertificate(client, tenantId, record, 'api');
  });
  return row as CertificateRow;
}

export async function updateCertificate(
  db: TenantDb,
  tenantId: string,
  ref: EntityRef,
  input: CertificateInput,
  box: SecretBox | undefined,
  now: Date,
): Promise<CertificateRow> {
  const row = await writeCertificate(db, tenantId, async (client) => {
    const existing = await findCertificate(client, tenantId, ref);
    if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef('certificate', ref));
    // A rename leaves whatever named the old name without its certificate.
    if (input.name !== existing.name) await assertCertificateUnused(client, tenantId, existing.name);
    const record = certificateRecord(input, existing, box, tenantId, now, '');
    if (record.keySha256 === null) await assertNoKeyNeeded(client, tenantId, record.name, 'key');
    await updateCertificateRow(client, tenantId, existing.id, record);
    return existing.id;
  });
  return row as CertificateRow;
}

/** Listeners and services that name certificate `name` (`tls.certificates`, `tls.caCertificate`, `tls.clientCertificate`). */
async function certificateUsers(db: Queryable, tenantId: string, name: string): Promise<string[]> {
  const schema = quotedTenantSchema(tenantId);
  const { rows } = await db.query<{ kind: string; name: string }>(
    `(SELECT 'listener' AS kind, name FROM ${schema}.listeners WHERE spec->'tls'->'certificates' ? $1 ORDER BY name LIMIT 5)
     UNION ALL
     (SELECT 'service', name FROM ${schema}.services
       WHERE options->'tls'->>'caCertificate' = $1 OR options->'tls'->>'clientCertificate' = $1 ORDER BY name LIMIT 5)`,
    [name],
  );
  return rows.map((row) => `${row.kind} '${row.name}'`);
}

/** The listeners and services (clientCertificate) that need certificate `name` to have a key. */
async function certificateKeyUsers(db: Queryable, tenantId: string, name: string): Promise<string[]> {
  const schema = quotedTenantSchema(tenantId);
  const { rows } = await db.query<{ kind: string; name: string }>(
    `(SELECT 'listener' AS kind, name FROM ${schema}.listeners WHERE spec->'tls'->'certificates' ? $1 ORDER BY name LIMIT 5)
     UNION ALL
     (SELECT 'service', name FROM ${schema}.services WHERE options->'tls'->>'clientCertificate' = $1 ORDER BY name LIMIT 5)`,
    [name],
  );
  return rows.map((row) => `${row.kind} '${row.name}'`);
}

/** validation_failed at `path` when certificate `name`, written without a key, is one a listener or a clientCertificate names. */
async function assertNoKeyNeeded(db: Queryable, tenantId: string, name: string, path: string): Promise<void> {
  const users = await certificateKeyUsers(db, tenantId, name);
  if (users.length === 0) return;
  const message = `certificate '${name}' has no key, but ${users.join(', ')} needs one (a listener serves with it, a clientCertificate presents it); send the key, or change them first`;
  throw invalidConfig([{ path, message }], 'certificate is invalid');
}

/** in_use while a listener or a service names certificate `name`. */
async function assertCertificateUnused(db: Queryable, tenantId: string, name: string, path?: string): Promise<void> {
  const users = await certificateUsers(db, tenantId, name);
  if (users.length === 0) return;
  const message = `certificate '${name}' is still named by ${users.join(', ')}; change them first`;
  throw new StoreError('in_use', message, path === undefined ? [] : [{ path, message }]);
}

/**
 * Deletes an API-managed certificate; in_use while a listener or a service names it (a gateway would otherwise
 * lose the certificate of a listener it serves).
 */
export async function deleteCertificate(db: TenantDb, tenantId: string, ref: EntityRef): Promise<void> {
  await writeCertificate(db, tenantId, async (client) => {
    const existing = await findCertificate(client, tenantId, ref);
    if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef('certificate', ref));
    await assertCertificateUnused(client, tenantId, existing.name);
    await deleteCertificates(client, tenantId, [existing.id]);
    return null;
  });
}

/**
 * Makes the tenant's API-managed certificates equal `inputs` (PUT /config), in the caller's transaction under the
 * tenant lock: `{sha256}` keeps a stored key, a missing name is deleted. Problems name `config.certificates[i]`.
 */
export async function replaceApiCertificates(
  client: Queryable,
  tenantId: string,
  inputs: readonly CertificateInput[],
  box: SecretBox | undefined,
  now: Date,
): Promise<void> {
  const stored = await storedKeysByName(client, tenantId);
  for (const [index, input] of inputs.entries()) {
    const existing = stored.get(input.name) ?? null;
    if (existing?.managed_by === 'kubernetes') throw managedByOperator(`certificates[${index}] '${input.name}'`);
    // Listeners and services are already as the new config has them: none may need a key this entry lacks.
    if (input.key === undefined) await assertNoKeyNeeded(client, tenantId, input.name, `config.certificates[${index}].key`);
    if (existing !== null && isUnchanged(input, existing)) {
      // GET /config sent back as it was: kept without a check (a stored certificate that expired since must not
      // block every other change), re-sealed only when an older key sealed it.
      if (box !== undefined && existing.key_sealed !== null && !box.isCurrent(existing.key_sealed)) {
        await client.query(`UPDATE ${table(tenantId)} SET key_sealed = $2 WHERE id = $1`, [existing.id, box.seal(box.open(existing.key_sealed, tenantId), tenantId)]);
      }
      continue;
    }
    const record = certificateRecord(input, existing, box, tenantId, now, `config.certificates[${index}].`);
    try {
      if (existing === null) await insertCertificate(client, tenantId, record, 'api');
      else await updateCertificateRow(client, tenantId, existing.id, record);
    } catch (error) {
      throw explain(error);
    }
  }
  const names = new Set(inputs.map((input) => input.name));
  const stale = [...stored].filter(([name, row]) => row.managed_by === 'api' && !names.has(name));
  // Listeners and services are already as the new config has them: none may still name a certificate it drops.
  for (const [name] of stale) await assertCertificateUnused(client, tenantId, name, 'config.certificates');
  if (stale.length > 0) await deleteCertificates(client, tenantId, stale.map(([, row]) => row.id));
}

/** Why a certificate cannot be written: the control plane has no key to seal it with. */
export const CERTIFICATES_DISABLED_MESSAGE = 'certificates are disabled: SECRETS_ENCRYPTION_KEY is not set on the control plane';

export class CertificatesDisabledError extends Error {
  constructor() {
    super(CERTIFICATES_DISABLED_MESSAGE);
    this.name = 'CertificatesDisabledError';
  }
}

function certificatesDisabled(): CertificatesDisabledError {
  return new CertificatesDisabledError();
}
