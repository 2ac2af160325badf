// The tenant account rows of `public.tenants` (DESIGN §2).
import type { Queryable } from '../db/pool.js';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  plan: string;
  ownerEmail: string;
}

export interface TenantCredentials extends Tenant {
  passwordHash: string | null;
  tokenVersion: number;
}

interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  owner_email: string;
  password_hash: string | null;
  token_version: number;
}

const COLUMNS = 'id, name, slug, plan, owner_email, password_hash, token_version';

function fromRow(row: TenantRow): TenantCredentials {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: row.plan,
    ownerEmail: row.owner_email,
    passwordHash: row.password_hash,
    tokenVersion: row.token_version,
  };
}

export function publicTenant({ id, name, slug, plan }: Tenant): Pick<Tenant, 'id' | 'name' | 'slug' | 'plan'> {
  return { id, name, slug, plan };
}

export async function findTenantByEmail(db: Queryable, email: string): Promise<TenantCredentials | null> {
  const { rows } = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM public.tenants WHERE lower(owner_email) = lower($1)`, [email]);
  return rows[0] === undefined ? null : fromRow(rows[0]);
}

export async function findTenantById(db: Queryable, id: string): Promise<TenantCredentials | null> {
  const { rows } = await db.query<TenantRow>(`SELECT ${COLUMNS} FROM public.tenants WHERE id = $1`, [id]);
  return rows[0] === undefined ? null : fromRow(rows[0]);
}

/** The current token version of a tenant, or null when the tenant no longer exists. */
export async function tokenVersionOf(db: Queryable, id: string): Promise<number | null> {
  const { rows } = await db.query<{ token_version: number }>('SELECT token_version FROM public.tenants WHERE id = $1', [id]);
  return rows[0]?.token_version ?? null;
}

/** Turns a display name into a URL-safe slug (`Acme Corp!` → `acme-corp`). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug === '' ? 'tenant' : slug;
}
