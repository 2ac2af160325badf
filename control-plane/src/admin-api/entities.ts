// The three admin-API entities (DESIGN §3) — services, routes, consumers — described once each: their
// input schema (the gateway's own), how a row reads back, and how a write reaches the tenant's table.
import { consumerSchema, routeSchema, serviceSchema, type ConsumerConfig, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
import { z } from 'zod';
import type { Queryable } from '../db/pool.js';
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
} from '../config/snapshot.js';
import { ApiError, alreadyExists, invalidReference } from '../http/errors.js';
import { isPgError, PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION } from '../db/pool.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { assertNoRouteConflict } from './route-conflicts.js';
import { isUuidShaped, UUID_SHAPED_NAME_MESSAGE } from './entity-ref.js';

/** Names starting with `k8s.` belong to the operator (DESIGN §7), so the two sources never clash. */
export const OPERATOR_NAME_PREFIX = 'k8s.';
const notOperatorName = (value: string) => !value.startsWith(OPERATOR_NAME_PREFIX);
const reservedMessage = { message: `names starting with '${OPERATOR_NAME_PREFIX}' are reserved for the Kubernetes operator` };

interface EntityRow {
  id: string;
  managed_by: 'api' | 'kubernetes';
  created_at: string;
  updated_at: string;
}

export interface EntityKind<Input, Row extends EntityRow> {
  /** URL segment and table name. */
  table: 'services' | 'routes' | 'consumers';
  singular: string;
  /** The table's alias in `select`'s SQL. */
  alias: 's' | 'r' | 'c';
  nameField: 'name' | 'username';
  input: z.ZodType<Input>;
  planLimitColumn: 'max_services' | 'max_routes' | 'max_consumers';
  select(tenantId: string): string;
  /** Column used to order lists (creation order for routes, which is also their config order). */
  listOrder: string;
  present(row: Row): Record<string, unknown>;
  insert(db: Queryable, tenantId: string, input: Input, managedBy: 'api' | 'kubernetes'): Promise<string>;
  update(db: Queryable, tenantId: string, id: string, input: Input): Promise<void>;
  /** Refuses an input that would shadow (or be shadowed by) a stored object (route conflicts, DESIGN §10). */
  assertNoConflict?(db: Queryable, tenantId: string, input: Input, selfId: string | null, against: 'all' | 'api'): Promise<void>;
  /** Turns a database error of this kind's writes into an API error, or returns null. */
  explain(error: unknown): ApiError | null;
}

function presentRow<Row extends EntityRow>(row: Row, config: object): Record<string, unknown> {
  return { id: row.id, ...config, managedBy: row.managed_by, createdAt: row.created_at, updatedAt: row.updated_at };
}

function uniqueViolation(error: unknown, constraints: Record<string, [string, string]>): ApiError | null {
  if (!isPgError(error, PG_UNIQUE_VIOLATION) || error.constraint === undefined) return null;
  const found = constraints[error.constraint];
  return found === undefined ? null : alreadyExists(found[1], found[0]);
}

export const services: EntityKind<ServiceConfig, ServiceRow> = {
  table: 'services',
  alias: 's',
  singular: 'service',
  nameField: 'name',
  input: serviceSchema
    .refine((s) => notOperatorName(s.name), { ...reservedMessage, path: ['name'] })
    .refine((s) => !isUuidShaped(s.name), { message: UUID_SHAPED_NAME_MESSAGE, path: ['name'] }),
  planLimitColumn: 'max_services',
  select: selectServices,
  listOrder: 's.name',
  present: (row) => presentRow(row, serviceConfigOf(row)),
  async insert(db, tenantId, s, managedBy) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries, managed_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [s.name, s.url, s.connectTimeoutMs, s.timeoutMs, s.retries, managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, s) {
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.services
          SET name = $2, url = $3, connect_timeout_ms = $4, timeout_ms = $5, retries = $6, updated_at = now()
        WHERE id = $1`,
      [id, s.name, s.url, s.connectTimeoutMs, s.timeoutMs, s.retries],
    );
  },
  explain(error) {
    if (isPgError(error, PG_FOREIGN_KEY_VIOLATION) || isPgError(error, PG_RESTRICT_VIOLATION)) {
      return new ApiError(409, 'in_use', 'the service is still used by routes; delete or move them first');
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
  input: routeSchema
    .refine((r) => notOperatorName(r.name), { ...reservedMessage, path: ['name'] })
    .refine((r) => !isUuidShaped(r.name), { message: UUID_SHAPED_NAME_MESSAGE, path: ['name'] }),
  planLimitColumn: 'max_routes',
  select: selectRoutes,
  listOrder: 'r.position',
  present: (row) => presentRow(row, routeConfigOf(row)),
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
  input: consumerSchema
    .refine((c) => notOperatorName(c.username), { ...reservedMessage, path: ['username'] })
    .refine((c) => !isUuidShaped(c.username), { message: UUID_SHAPED_NAME_MESSAGE, path: ['username'] }),
  planLimitColumn: 'max_consumers',
  select: selectConsumers,
  listOrder: 'c.username',
  present: (row) => presentRow(row, consumerConfigOf(row)),
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
