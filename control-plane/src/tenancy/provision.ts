// Tenant provisioning: the tenant row, its schema with the fixed tables and its first (empty) config version,
// all in the caller's transaction so that a failure leaves nothing behind. The control plane's registration
// and the Kubernetes operator both provision through this one function.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MIGRATION_LOCK_KEY, migrateTenantSchema } from '../db/migrate.js';
import { recordConfigVersion } from './config-versions.js';
import { slugify, type Tenant } from './tenants.js';
import { quotedTenantSchema, tenantSchemaName } from './schema-name.js';

export interface NewTenant {
  id?: string;
  name: string;
  plan: string;
  ownerEmail: string;
  /** bcrypt hash, or null for a tenant made by the operator (no platform login). */
  passwordHash: string | null;
  kubernetesUid?: string;
}

export interface ProvisionedTenant extends Tenant {
  schema: string;
}

const MAX_SLUG_ATTEMPTS = 5;

/**
 * Creates the tenant row, schema, tables, the tenant's database role (tenant migration 004: every tenant
 * transaction runs as it) and config version 1. Throws the database's unique violation when
 * the owner email (or Kubernetes uid) is taken; slug clashes are resolved with a random suffix.
 */
export async function provisionTenant(client: pg.PoolClient, input: NewTenant): Promise<ProvisionedTenant> {
  const id = input.id ?? randomUUID();
  // Shared with other registrations, exclusive against a migration run: a schema is never provisioned
  // from one migration set while another process migrates to the next.
  await client.query('SELECT pg_advisory_xact_lock_shared($1)', [MIGRATION_LOCK_KEY]);
  const baseSlug = slugify(input.name);
  let slug: string | null = null;
  for (let attempt = 0; attempt < MAX_SLUG_ATTEMPTS && slug === null; attempt++) {
    const candidate = attempt === 0 ? baseSlug : `${baseSlug}-${randomBytes(3).toString('hex')}`;
    const { rows } = await client.query<{ slug: string }>(
      `INSERT INTO public.tenants (id, name, slug, plan, owner_email, password_hash, kubernetes_uid)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (slug) DO NOTHING
       RETURNING slug`,
      [id, input.name, candidate, input.plan, input.ownerEmail, input.passwordHash, input.kubernetesUid ?? null],
    );
    slug = rows[0]?.slug ?? null;
  }
  if (slug === null) throw new Error('could not find a free slug for the tenant');
  await migrateTenantSchema(client, id);
  await recordConfigVersion(client, id, { by: 'system', note: 'tenant created' });
  return { id, name: input.name, slug, plan: input.plan, ownerEmail: input.ownerEmail, schema: tenantSchemaName(id) };
}

/**
 * Removes a tenant in the caller's transaction: its schema (with every table), its migration records, its row
 * (its API keys and pending updates go with it) and its database role.
 */
export async function deprovisionTenant(client: pg.PoolClient, tenantId: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${quotedTenantSchema(tenantId)} CASCADE`);
  await client.query('DELETE FROM public.schema_migrations WHERE schema_name = $1', [tenantSchemaName(tenantId)]);
  await client.query('DELETE FROM public.tenants WHERE id = $1', [tenantId]);
  const { rows } = await client.query<{ role: string }>('SELECT public.novagate_tenant_role($1) AS role', [tenantId]);
  // The name is ngt_<hex>_<hex>: nothing in it needs escaping beyond the quotes.
  await client.query(`DROP ROLE IF EXISTS "${(rows[0] as { role: string }).role}"`);
}
