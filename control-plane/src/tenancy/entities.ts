// The three config entities (DESIGN §3) — services, routes, consumers — as stored: how a row is selected and
// read back, how a write reaches the tenant's table, and which database refusals a write can meet.
import type { ConsumerConfig, RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import { isPgError, PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION } from '../db/pool.js';
import {
  consumerConfigOf,
  routeConfigOf,
  selectConsumers,
  selectRoutes,
  selectServices,
  serviceConfigOf,
  type ConsumerRow,
  type RouteRow,
  type ServiceRow,
} from './config-snapshot.js';
import { assertNoRouteConflict } from './route-conflicts.js';
import { quotedTenantSchema } from './schema-name.js';
import { alreadyExists, invalidReference, StoreError } from './store-error.js';

/** Names starting with `k8s.` belong to the operator (DESIGN §7), so the two sources never clash. */
export const OPERATOR_NAME_PREFIX = 'k8s.';
export const RESERVED_NAME_MESSAGE = `names starting with '${OPERATOR_NAME_PREFIX}' are reserved for the Kubernetes operator`;

export type EntityTable = 'services' | 'routes' | 'consumers';

export interface EntityRow {
  id: string;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

export interface EntityKind<Config, Row extends EntityRow> {
  /** URL segment and table name. */
  table: EntityTable;
  singular: string;
  /** The table's alias in `select`'s SQL. */
  alias: 's' | 'r' | 'c';
  nameField: 'name' | 'username';
  planLimitColumn: 'max_services' | 'max_routes' | 'max_consumers';
  select(tenantId: string): string;
  /** A selected row as the gateway config object it stores. */
  configOf(row: Row): Config;
  /** Column used to order lists (creation order for routes, which is also their config order). */
  listOrder: string;
  insert(db: Queryable, tenantId: string, config: Config, managedBy: 'api' | 'kubernetes'): Promise<string>;
  update(db: Queryable, tenantId: string, id: string, config: Config): Promise<void>;
  /** Refuses a config that would shadow (or be shadowed by) a stored object (route conflicts, DESIGN §10). */
  assertNoConflict?(db: Queryable, tenantId: string, config: Config, selfId: string | null, against: 'all' | 'api'): Promise<void>;
  /** Turns a database error of this kind's writes into a StoreError, or returns null. */
  explain(error: unknown): StoreError | null;
}

/** Any of the three kinds, its config type erased. */
export type AnyEntityKind = EntityKind<unknown, EntityRow>;

function uniqueViolation(error: unknown, constraints: Record<string, [string, string]>): StoreError | null {
  if (!isPgError(error, PG_UNIQUE_VIOLATION) || error.constraint === undefined) return null;
  const found = constraints[error.constraint];
  return found === undefined ? null : alreadyExists(found[1], found[0]);
}

export const services: EntityKind<ServiceConfig, ServiceRow> = {
  table: 'services',
  alias: 's',
  singular: 'service',
  nameField: 'name',
  planLimitColumn: 'max_services',
  select: selectServices,
  configOf: serviceConfigOf,
  listOrder: 's.name',
  async insert(db, tenantId, s, managedBy) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries, http2, managed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [s.name, s.url, s.connectTimeoutMs, s.timeoutMs, s.retries, s.http2 === true, managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, s) {
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.services
          SET name = $2, url = $3, connect_timeout_ms = $4, timeout_ms = $5, retries = $6, http2 = $7, updated_at = now()
        WHERE id = $1`,
      [id, s.name, s.url, s.connectTimeoutMs, s.timeoutMs, s.retries, s.http2 === true],
    );
  },
  explain(error) {
    if (isPgError(error, PG_FOREIGN_KEY_VIOLATION) || isPgError(error, PG_RESTRICT_VIOLATION)) {
      return new StoreError('in_use', 'the service is still used by routes; delete or move them first');
    }
    return uniqueViolation(error, { services_name_key: ['name', 'a service with this name already exists'] });
  },
};

async function serviceIdByName(db: Queryable, tenantId: string, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${quotedTenantSchema(tenantId)}.services WHERE name = $1`, [name]);
  if (rows[0] === undefined) throw invalidReference('service', `service '${name}' does not exist`);
  return rows[0].id;
}

export const routes: EntityKind<RouteConfig, RouteRow> = {
  table: 'routes',
  alias: 'r',
  singular: 'route',
  nameField: 'name',
  planLimitColumn: 'max_routes',
  select: selectRoutes,
  configOf: routeConfigOf,
  listOrder: 'r.position',
  async insert(db, tenantId, r, managedBy) {
    const serviceId = await serviceIdByName(db, tenantId, r.service);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.routes (name, service_id, paths, methods, hosts, strip_prefix, auth, rate_limit, managed_by, case_insensitive)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [r.name, serviceId, r.paths, r.methods, r.hosts, r.stripPrefix, r.auth, r.rateLimit ?? null, managedBy, r.caseInsensitive === true],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, r) {
    const serviceId = await serviceIdByName(db, tenantId, r.service);
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.routes
          SET name = $2, service_id = $3, paths = $4, methods = $5, hosts = $6, strip_prefix = $7, auth = $8,
              rate_limit = $9, case_insensitive = $10, updated_at = now()
        WHERE id = $1`,
      [id, r.name, serviceId, r.paths, r.methods, r.hosts, r.stripPrefix, r.auth, r.rateLimit ?? null, r.caseInsensitive === true],
    );
  },
  assertNoConflict: assertNoRouteConflict,
  explain: (error) => uniqueViolation(error, { routes_name_key: ['name', 'a route with this name already exists'] }),
};

async function assertKeyHashesFree(db: Queryable, tenantId: string, hashes: string[], exceptId: string | null): Promise<void> {
  if (hashes.length === 0) return;
  const { rows } = await db.query<{ username: string }>(
    `SELECT username FROM ${quotedTenantSchema(tenantId)}.consumers WHERE api_key_hashes && $1::text[] AND id IS DISTINCT FROM $2 LIMIT 1`,
    [hashes, exceptId],
  );
  if (rows[0] !== undefined) throw alreadyExists(`an API key hash is already used by consumer '${rows[0].username}'`, 'apiKeyHashes');
}

export const consumers: EntityKind<ConsumerConfig, ConsumerRow> = {
  table: 'consumers',
  alias: 'c',
  singular: 'consumer',
  nameField: 'username',
  planLimitColumn: 'max_consumers',
  select: selectConsumers,
  configOf: consumerConfigOf,
  listOrder: 'c.username',
  async insert(db, tenantId, c, managedBy) {
    await assertKeyHashesFree(db, tenantId, c.apiKeyHashes, null);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.consumers (username, api_key_hashes, jwt_subject, rate_limit, managed_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [c.username, c.apiKeyHashes, c.jwtSubject ?? null, c.rateLimit ?? null, managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, c) {
    await assertKeyHashesFree(db, tenantId, c.apiKeyHashes, id);
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.consumers
          SET username = $2, api_key_hashes = $3, jwt_subject = $4, rate_limit = $5, updated_at = now()
        WHERE id = $1`,
      [id, c.username, c.apiKeyHashes, c.jwtSubject ?? null, c.rateLimit ?? null],
    );
  },
  explain: (error) =>
    uniqueViolation(error, {
      consumers_username_key: ['username', 'a consumer with this username already exists'],
      consumers_jwt_subject_key: ['jwtSubject', 'another consumer already has this JWT subject'],
    }),
};

/** Deletes rows of one table by id: the one DELETE of an entity (admin API, whole-config PUT, operator). */
export async function deleteEntities(db: Queryable, tenantId: string, table: EntityTable, ids: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.${table} WHERE id = ANY($1::uuid[])`, [ids]);
}
