// The three config entities (DESIGN §3) — services, routes, consumers — as stored: how a row is selected and
// read back, how a write reaches the tenant's table, and which database refusals a write can meet.
import { gatewayConfigSchema, type ConsumerConfig, type ListenerConfig, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import { isPgError, PG_FOREIGN_KEY_VIOLATION, PG_RESTRICT_VIOLATION, PG_UNIQUE_VIOLATION } from '../db/pool.js';
import {
  CONSUMER_COLUMN_FIELDS,
  consumerConfigOf,
  listenerConfigOf,
  optionsOf,
  ROUTE_COLUMN_FIELDS,
  routeConfigOf,
  selectConsumers,
  selectListeners,
  selectRoutes,
  selectServices,
  SERVICE_COLUMN_FIELDS,
  serviceConfigOf,
  type ConsumerRow,
  type ListenerRow,
  type RouteRow,
  type ServiceRow,
} from './config-snapshot.js';
import { assertNamedCertificatesHaveKeys } from './keyless-certificates.js';
import { assertNoRouteConflict } from './route-conflicts.js';
import { assertRegexPathBudget } from './route-limits.js';
import { pathsToColumn } from './path-column.js';
import { quotedTenantSchema } from './schema-name.js';
import { alreadyExists, conflict, invalidConfig, invalidReference, StoreError } from './store-error.js';

/** Names starting with `k8s.` belong to the operator (DESIGN §7), so the two sources never clash. */
export const OPERATOR_NAME_PREFIX = 'k8s.';
/** Names the operator's Gateway API translation writes (DESIGN §11). */
export const GATEWAY_API_NAME_PREFIX = 'gwapi.';
export const RESERVED_NAME_MESSAGE = `names starting with '${OPERATOR_NAME_PREFIX}' or '${GATEWAY_API_NAME_PREFIX}' are reserved for the Kubernetes operator`;

/** Whether `name` is one only the operator may write (`k8s.`, `gwapi.`). */
export function isOperatorName(name: string): boolean {
  return name.startsWith(OPERATOR_NAME_PREFIX) || name.startsWith(GATEWAY_API_NAME_PREFIX);
}

export type EntityTable = 'services' | 'routes' | 'consumers' | 'listeners';

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
  alias: 's' | 'r' | 'c' | 'l';
  nameField: 'name' | 'username';
  /** The plan's limit on this kind, or a fixed cap for kinds plans do not limit. */
  planLimit: { column: 'max_services' | 'max_routes' | 'max_consumers' } | { max: number };
  select(tenantId: string): string;
  /** A selected row as the gateway config object it stores. */
  configOf(row: Row): Config;
  /** Column used to order lists (creation order for routes, which is also their config order). */
  listOrder: string;
  insert(db: Queryable, tenantId: string, config: Config, managedBy: 'api' | 'kubernetes'): Promise<string>;
  update(db: Queryable, tenantId: string, id: string, config: Config): Promise<void>;
  /** Refuses a config that would shadow (or be shadowed by) a stored object (route conflicts, DESIGN §10). */
  assertNoConflict?(db: Queryable, tenantId: string, config: Config, selfId: string | null, against: 'all' | 'api'): Promise<void>;
  /** Refuses to delete a row other objects still name (in_use). */
  assertDeletable?(db: Queryable, tenantId: string, row: Row): Promise<void>;
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
  planLimit: { column: 'max_services' },
  select: selectServices,
  configOf: serviceConfigOf,
  listOrder: 's.name',
  async insert(db, tenantId, s, managedBy) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries, http2, options, managed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [s.name, s.url ?? null, s.connectTimeoutMs, s.timeoutMs, s.retries, s.http2 === true, optionsOf(s, SERVICE_COLUMN_FIELDS), managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, s) {
    // The old name comes back from the UPDATE itself: a whole-config PUT updates every service and never renames,
    // so it pays no extra round trip per service.
    const { rows } = await db.query<{ old_name: string }>(
      `UPDATE ${quotedTenantSchema(tenantId)}.services s
          SET name = $2, url = $3, connect_timeout_ms = $4, timeout_ms = $5, retries = $6, http2 = $7, options = $8, updated_at = now()
         FROM (SELECT name AS old_name FROM ${quotedTenantSchema(tenantId)}.services WHERE id = $1) old
        WHERE s.id = $1
        RETURNING old.old_name`,
      [id, s.name, s.url ?? null, s.connectTimeoutMs, s.timeoutMs, s.retries, s.http2 === true, optionsOf(s, SERVICE_COLUMN_FIELDS)],
    );
    const oldName = rows[0]?.old_name;
    // `service` follows a rename (service_id); `backends` and `mirrors` hold the name, so a rename would leave them
    // naming nothing. Refused after the write: the caller's transaction (or savepoint) rolls it back.
    if (oldName !== undefined && oldName !== s.name) {
      const users = await routesNamingService(db, tenantId, { id, name: oldName }, 'byName');
      if (users.length > 0) throw serviceInUse(oldName, users);
    }
  },
  async assertDeletable(db, tenantId, row) {
    const users = await routesNamingService(db, tenantId, row, 'any');
    if (users.length > 0) throw serviceInUse(row.name, users);
  },
  async assertNoConflict(db, tenantId, service) {
    await assertNamedCertificatesHaveKeys(db, tenantId, { service });
  },
  explain(error) {
    if (isPgError(error, PG_FOREIGN_KEY_VIOLATION) || isPgError(error, PG_RESTRICT_VIOLATION)) {
      return new StoreError('in_use', 'the service is still used by routes; delete or move them first');
    }
    return uniqueViolation(error, { services_name_key: ['name', 'a service with this name already exists'] });
  },
};

/**
 * Routes (at most 5, in config order) that name service `service`: through `service` (service_id, which follows
 * a rename) or by name in `backends` and `mirrors` (the route's options, which do not) — `byName` only the latter.
 */
async function routesNamingService(db: Queryable, tenantId: string, service: { id: string; name: string }, which: 'any' | 'byName'): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM ${quotedTenantSchema(tenantId)}.routes
      WHERE ($3 AND service_id = $1)
         OR options->'backends' @> jsonb_build_array(jsonb_build_object('service', $2::text))
         OR options->'mirrors' @> jsonb_build_array(jsonb_build_object('service', $2::text))
      ORDER BY position LIMIT 5`,
    [service.id, service.name, which === 'any'],
  );
  return rows.map((row) => row.name);
}

function serviceInUse(name: string, routeNames: readonly string[]): StoreError {
  return new StoreError('in_use', `service '${name}' is still named by routes ${routeNames.map((r) => `'${r}'`).join(', ')}; change them first`);
}

/**
 * The ids of the services a route names, by name; refuses a name the tenant does not have with invalid_reference
 * naming the route's own field (`service`, `backends[j].service`, `mirrors[j].service`).
 */
async function serviceIdsOf(db: Queryable, tenantId: string, r: RouteConfig): Promise<Map<string, string>> {
  const references: [path: string, name: string][] = [];
  if (r.service !== undefined) references.push(['service', r.service]);
  r.backends?.forEach((backend, index) => {
    if (backend.service !== undefined) references.push([`backends[${index}].service`, backend.service]);
  });
  r.mirrors?.forEach((mirror, index) => references.push([`mirrors[${index}].service`, mirror.service]));
  if (references.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM ${quotedTenantSchema(tenantId)}.services WHERE name = ANY($1::text[])`,
    [[...new Set(references.map(([, name]) => name))]],
  );
  const ids = new Map(rows.map((row) => [row.name, row.id]));
  const missing = references.find(([, name]) => !ids.has(name));
  if (missing !== undefined) throw invalidReference(missing[0], `service '${missing[1]}' does not exist`);
  return ids;
}

/** The route's service_id column: its `service`'s id, or null for a route without one (DESIGN §10). */
async function serviceIdColumn(db: Queryable, tenantId: string, r: RouteConfig): Promise<string | null> {
  const ids = await serviceIdsOf(db, tenantId, r);
  return r.service === undefined ? null : (ids.get(r.service) as string);
}

/** Refuses a route that names a listener the tenant does not have (the gateway schema would refuse the snapshot). */
async function assertListenersExist(db: Queryable, tenantId: string, names: readonly string[] | undefined): Promise<void> {
  if (names === undefined) return;
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM ${quotedTenantSchema(tenantId)}.listeners WHERE name = ANY($1::text[])`, [names]);
  const known = new Set(rows.map((row) => row.name));
  const index = names.findIndex((name) => !known.has(name));
  if (index >= 0) throw invalidReference(`listeners[${index}]`, `listener '${names[index]}' does not exist`);
}

export const routes: EntityKind<RouteConfig, RouteRow> = {
  table: 'routes',
  alias: 'r',
  singular: 'route',
  nameField: 'name',
  planLimit: { column: 'max_routes' },
  select: selectRoutes,
  configOf: routeConfigOf,
  listOrder: 'r.position',
  async insert(db, tenantId, r, managedBy) {
    const serviceId = await serviceIdColumn(db, tenantId, r);
    await assertListenersExist(db, tenantId, r.listeners);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.routes (name, service_id, paths, methods, hosts, strip_prefix, auth, rate_limit, managed_by, case_insensitive, options)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [r.name, serviceId, pathsToColumn(r.paths), r.methods, r.hosts, r.stripPrefix, r.auth, r.rateLimit ?? null, managedBy, r.caseInsensitive === true, optionsOf(r, ROUTE_COLUMN_FIELDS)],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, r) {
    const serviceId = await serviceIdColumn(db, tenantId, r);
    await assertListenersExist(db, tenantId, r.listeners);
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.routes
          SET name = $2, service_id = $3, paths = $4, methods = $5, hosts = $6, strip_prefix = $7, auth = $8,
              rate_limit = $9, case_insensitive = $10, options = $11, updated_at = now()
        WHERE id = $1`,
      [id, r.name, serviceId, pathsToColumn(r.paths), r.methods, r.hosts, r.stripPrefix, r.auth, r.rateLimit ?? null, r.caseInsensitive === true, optionsOf(r, ROUTE_COLUMN_FIELDS)],
    );
  },
  async assertNoConflict(db, tenantId, route, selfId, against) {
    await assertRegexPathBudget(db, tenantId, route, selfId);
    await assertNoRouteConflict(db, tenantId, route, selfId, against);
  },
  explain: (error) => uniqueViolation(error, { routes_name_key: ['name', 'a route with this name already exists'] }),
};

async function assertKeyHashesFree(db: Queryable, tenantId: string, hashes: string[], exceptId: string | null): Promise<void> {
  if (hashes.length === 0) return;
  // A revoked key stays dead whoever writes the consumer (a PUT from a stale read, PUT /config, a script): only the
  // records of keys the control plane generated know about revocations, and they are kept with their consumer.
  const { rows: revoked } = await db.query<{ key_hash: string; prefix: string }>(
    `SELECT key_hash, prefix FROM ${quotedTenantSchema(tenantId)}.consumer_keys WHERE revoked_at IS NOT NULL AND key_hash = ANY($1::text[]) LIMIT 1`,
    [hashes],
  );
  if (revoked[0] !== undefined) {
    const index = hashes.indexOf(revoked[0].key_hash);
    throw conflict(`API key ${revoked[0].prefix}… was revoked and stays revoked: generate a new key instead`, `apiKeyHashes[${index}]`);
  }
  const { rows } = await db.query<{ username: string }>(
    `SELECT username FROM ${quotedTenantSchema(tenantId)}.consumers WHERE api_key_hashes && $1::text[] AND id IS DISTINCT FROM $2 LIMIT 1`,
    [hashes, exceptId],
  );
  if (rows[0] !== undefined) throw alreadyExists(`an API key hash is already used by consumer '${rows[0].username}'`, 'apiKeyHashes');
}

/** A basic-auth user-id belongs to one consumer (the gateway schema's rule across consumers, DESIGN §10). */
async function assertBasicAuthUsernamesFree(db: Queryable, tenantId: string, c: ConsumerConfig, exceptId: string | null): Promise<void> {
  const usernames = (c.basicAuth ?? []).map((credential) => credential.username);
  if (usernames.length === 0) return;
  const { rows } = await db.query<{ username: string; taken: string }>(
    `SELECT c.username, b->>'username' AS taken
       FROM ${quotedTenantSchema(tenantId)}.consumers c, jsonb_array_elements(coalesce(c.options->'basicAuth', '[]'::jsonb)) b
      WHERE b->>'username' = ANY($1::text[]) AND c.id IS DISTINCT FROM $2 LIMIT 1`,
    [usernames, exceptId],
  );
  const row = rows[0];
  if (row !== undefined) {
    throw alreadyExists(`basic-auth username '${row.taken}' is already used by consumer '${row.username}'`, `basicAuth[${usernames.indexOf(row.taken)}].username`);
  }
}

export const consumers: EntityKind<ConsumerConfig, ConsumerRow> = {
  table: 'consumers',
  alias: 'c',
  singular: 'consumer',
  nameField: 'username',
  planLimit: { column: 'max_consumers' },
  select: selectConsumers,
  configOf: consumerConfigOf,
  listOrder: 'c.username',
  async insert(db, tenantId, c, managedBy) {
    await assertKeyHashesFree(db, tenantId, c.apiKeyHashes, null);
    await assertBasicAuthUsernamesFree(db, tenantId, c, null);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.consumers (username, api_key_hashes, jwt_subject, rate_limit, options, managed_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [c.username, c.apiKeyHashes, c.jwtSubject ?? null, c.rateLimit ?? null, optionsOf(c, CONSUMER_COLUMN_FIELDS), managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, c) {
    await assertKeyHashesFree(db, tenantId, c.apiKeyHashes, id);
    await assertBasicAuthUsernamesFree(db, tenantId, c, id);
    await db.query(
      `UPDATE ${quotedTenantSchema(tenantId)}.consumers
          SET username = $2, api_key_hashes = $3, jwt_subject = $4, rate_limit = $5, options = $6, updated_at = now()
        WHERE id = $1`,
      [id, c.username, c.apiKeyHashes, c.jwtSubject ?? null, c.rateLimit ?? null, optionsOf(c, CONSUMER_COLUMN_FIELDS)],
    );
  },
  explain: (error) =>
    uniqueViolation(error, {
      consumers_username_key: ['username', 'a consumer with this username already exists'],
      consumers_jwt_subject_key: ['jwtSubject', 'another consumer already has this JWT subject (for the same jwtProvider)'],
    }),
};

/** The most listeners a tenant stores: the gateway schema's bound on `listeners`. */
export const MAX_LISTENERS_PER_TENANT = 256;

/** Routes that name listener `name` in their `listeners`. */
async function routesOnListener(db: Queryable, tenantId: string, name: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM ${quotedTenantSchema(tenantId)}.routes WHERE options->'listeners' ? $1 ORDER BY position LIMIT 5`,
    [name],
  );
  return rows.map((row) => row.name);
}

/**
 * Checks one listener against the tenant's others with the gateway schema's rules across listeners (one protocol
 * and one h2c choice per port, one listener per hostname and port). Problems name the listener's own fields.
 */
async function assertListenerFits(db: Queryable, tenantId: string, listener: ListenerConfig, selfId: string | null): Promise<void> {
  const { rows } = await db.query<{ spec: ListenerConfig }>(
    `SELECT spec FROM ${quotedTenantSchema(tenantId)}.listeners WHERE id IS DISTINCT FROM $1 ORDER BY name`,
    [selfId],
  );
  const others = rows.map((row) => row.spec);
  const result = gatewayConfigSchema.safeParse({ listeners: [...others, listener] });
  if (result.success) return;
  const self = others.length;
  const problems = result.error.issues
    .filter((issue) => issue.path[0] === 'listeners' && issue.path[1] === self)
    .map((issue) => ({ path: issue.path.slice(2).join('.'), message: issue.message }));
  if (problems.length > 0) throw invalidConfig(problems, 'listener conflicts with the tenant\'s other listeners');
}

export const listeners: EntityKind<ListenerConfig, ListenerRow> = {
  table: 'listeners',
  alias: 'l',
  singular: 'listener',
  nameField: 'name',
  planLimit: { max: MAX_LISTENERS_PER_TENANT },
  select: selectListeners,
  configOf: listenerConfigOf,
  listOrder: 'l.name',
  async insert(db, tenantId, listener, managedBy) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.listeners (name, spec, managed_by) VALUES ($1, $2, $3) RETURNING id`,
      [listener.name, listener, managedBy],
    );
    return (rows[0] as { id: string }).id;
  },
  async update(db, tenantId, id, listener) {
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM ${quotedTenantSchema(tenantId)}.listeners WHERE id = $1`, [id]);
    const oldName = rows[0]?.name;
    if (oldName !== undefined && oldName !== listener.name) {
      const users = await routesOnListener(db, tenantId, oldName);
      if (users.length > 0) throw listenerInUse(oldName, users);
    }
    await db.query(`UPDATE ${quotedTenantSchema(tenantId)}.listeners SET name = $2, spec = $3, updated_at = now() WHERE id = $1`, [id, listener.name, listener]);
  },
  async assertNoConflict(db, tenantId, listener, selfId) {
    await assertListenerFits(db, tenantId, listener, selfId);
    await assertNamedCertificatesHaveKeys(db, tenantId, { listener });
  },
  async assertDeletable(db, tenantId, row) {
    const users = await routesOnListener(db, tenantId, row.name);
    if (users.length > 0) throw listenerInUse(row.name, users);
  },
  explain: (error) => uniqueViolation(error, { listeners_name_key: ['name', 'a listener with this name already exists'] }),
};

function listenerInUse(name: string, routeNames: readonly string[]): StoreError {
  return new StoreError('in_use', `listener '${name}' is still named by routes ${routeNames.map((r) => `'${r}'`).join(', ')}; change them first`);
}

/** Deletes rows of one table by id: the one DELETE of an entity (admin API, whole-config PUT, operator). */
export async function deleteEntities(db: Queryable, tenantId: string, table: EntityTable, ids: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.${table} WHERE id = ANY($1::uuid[])`, [ids]);
}
