// A tenant's whole declarative config (DESIGN §3 `/config`): the newest version as stored, and the replacement
// of its API-managed services, routes, consumers, listeners and certificates by a whole config in one transaction, leaving
// the operator's objects as they are.
import {
  canonicalJson,
  gatewayConfigSchema,
  problemsFromZodError,
  type ConsumerConfig,
  type GatewayConfig,
  type ListenerConfig,
  type RouteConfig,
  type ServiceConfig,
} from '@novagate/gateway/config';
import type pg from 'pg';
import {
  consumerConfigOf,
  listenerConfigOf,
  routeConfigOf,
  selectConsumers,
  selectListeners,
  selectRoutes,
  selectServices,
  serviceConfigOf,
  type ConsumerRow,
  type ListenerRow,
  type RouteRow,
  type ServiceRow,
} from './config-snapshot.js';
import { latestConfigVersion, lockTenantForConfigChange, newestConfigVersionNumber, recordConfigVersion, type ConfigVersion } from './config-versions.js';
import { publicConfig, type PublicConfig } from './certificate-snapshot.js';
import { replaceApiCertificates, type CertificateInput } from './certificates.js';
import type { SecretBox } from './secret-box.js';
import { consumers, deleteEntities, isOperatorName, listeners, RESERVED_NAME_MESSAGE, routes, services } from './entities.js';
import { isUuidShaped, UUID_SHAPED_NAME_MESSAGE } from './entity-ref.js';
import { assertConfigWithinPlan } from './plan-limits.js';
import { assertNoConflictsIn } from './route-conflicts.js';
import { quotedTenantSchema } from './schema-name.js';
import { invalidConfig, managedByOperator, notFound, StoreError } from './store-error.js';
import type { TenantDb } from './tenant-db.js';

interface Named {
  managed_by: 'api' | 'kubernetes';
  id: string;
}

/** The newest config version with its snapshot, every certificate key as its fingerprint; not_found when the tenant has none. */
export async function currentConfig(db: TenantDb, tenantId: string): Promise<ConfigVersion & { config: PublicConfig }> {
  const latest = await db.transaction(tenantId, 'read', (client) => latestConfigVersion(client, tenantId));
  if (latest === null) throw notFound('config');
  return { ...latest, config: publicConfig(latest.config) };
}

/** A PUT /config body's certificates and what writing them needs. */
export interface CertificateReplacement {
  certificates: readonly CertificateInput[];
  /** Seals the keys; undefined when SECRETS_ENCRYPTION_KEY is unset (then only CA bundles, certificates without keys, are written). */
  box: SecretBox | undefined;
  now: Date;
}

/** Splits current rows into operator-managed (kept as they are) and API-managed (replaced), by name. */
function byOwner<Row extends Named, C>(rows: Row[], nameOf: (c: C) => string, configOf: (row: Row) => C) {
  const operator = new Map<string, C>();
  const api = new Map<string, string>();
  for (const row of rows) {
    const config = configOf(row);
    if (row.managed_by === 'kubernetes') operator.set(nameOf(config), config);
    else api.set(nameOf(config), row.id);
  }
  return { operator, api };
}

/**
 * Checks the body's objects against operator-managed ones: an identical copy is fine, a changed one is
 * managed_by_operator, a new `k8s.` name is refused. Returns the operator objects the body did not mention, to keep.
 */
function operatorObjectsToKeep<C>(list: C[], listName: string, nameOf: (c: C) => string, operator: Map<string, C>): C[] {
  const mentioned = new Set<string>();
  list.forEach((item, index) => {
    const name = nameOf(item);
    const managed = operator.get(name);
    if (managed !== undefined) {
      if (canonicalJson(managed) !== canonicalJson(item)) throw managedByOperator(`${listName}[${index}] '${name}'`);
      mentioned.add(name);
    } else if (isOperatorName(name)) {
      throw invalidConfig([{ path: `config.${listName}[${index}]`, message: RESERVED_NAME_MESSAGE }], 'request is invalid');
    } else if (isUuidShaped(name)) {
      throw invalidConfig(
        [{ path: `config.${listName}[${index}].${listName === 'consumers' ? 'username' : 'name'}`, message: UUID_SHAPED_NAME_MESSAGE }],
        'request is invalid',
      );
    }
  });
  return [...operator.entries()].filter(([name]) => !mentioned.has(name)).map(([, config]) => config);
}

/** Replaces the API-managed rows of one tenant with `body` (already validated together with operator rows). */
async function replaceApiObjects(
  client: pg.PoolClient,
  tenantId: string,
  body: GatewayConfig,
  current: { services: Map<string, string>; routes: Map<string, string>; consumers: Map<string, string>; listeners: Map<string, string> },
): Promise<void> {
  const schema = quotedTenantSchema(tenantId);
  const keep = <C>(list: C[], nameOf: (c: C) => string) => new Set(list.map(nameOf));
  const routeNames = keep(body.routes, (r: RouteConfig) => r.name);
  const serviceNames = keep(body.services, (s: ServiceConfig) => s.name);
  const usernames = keep(body.consumers, (c: ConsumerConfig) => c.username);
  const listenerNames = keep(body.listeners ?? [], (l: ListenerConfig) => l.name);
  const stale = (map: Map<string, string>, names: Set<string>) => [...map].filter(([name]) => !names.has(name)).map(([, id]) => id);

  await deleteEntities(client, tenantId, 'routes', stale(current.routes, routeNames));
  await deleteEntities(client, tenantId, 'consumers', stale(current.consumers, usernames));
  // Clear unique consumer credentials first: the final set is unique, but a swap between two consumers
  // would trip the unique index half way through.
  await client.query(`UPDATE ${schema}.consumers SET jwt_subject = NULL, api_key_hashes = '{}' WHERE managed_by = 'api'`);

  // Listeners before routes (a route names them), stale ones after (no route names them any more).
  for (const listener of body.listeners ?? []) {
    const id = current.listeners.get(listener.name);
    if (id === undefined) await listeners.insert(client, tenantId, listener, 'api');
    else await listeners.update(client, tenantId, id, listener);
  }
  for (const service of body.services) {
    const id = current.services.get(service.name);
    if (id === undefined) await services.insert(client, tenantId, service, 'api');
    else await services.update(client, tenantId, id, service);
  }
  for (const route of body.routes) {
    const id = current.routes.get(route.name);
    if (id === undefined) await routes.insert(client, tenantId, route, 'api');
    else await routes.update(client, tenantId, id, route);
    // Route order is config order: move each route behind the ones before it.
    await client.query(`UPDATE ${schema}.routes SET position = nextval(pg_get_serial_sequence('${schema}.routes', 'position')) WHERE name = $1`, [route.name]);
  }
  for (const consumer of body.consumers) {
    const id = current.consumers.get(consumer.username);
    if (id === undefined) await consumers.insert(client, tenantId, consumer, 'api');
    else await consumers.update(client, tenantId, id, consumer);
  }
  await deleteEntities(client, tenantId, 'services', stale(current.services, serviceNames));
  await deleteEntities(client, tenantId, 'listeners', stale(current.listeners, listenerNames));
}

/**
 * Makes the tenant's API-managed objects (certificates included) equal `body`, in the caller's transaction under the
 * tenant lock; the operator's objects stay as they are, and the merged whole must be valid and within the plan.
 * Records no version: the caller does.
 */
export async function applyApiConfig(
  client: pg.PoolClient,
  tenantId: string,
  plan: string,
  body: GatewayConfig,
  certificates: CertificateReplacement,
): Promise<void> {
  const serviceRows = await client.query<ServiceRow>(selectServices(tenantId));
  const routeRows = await client.query<RouteRow>(selectRoutes(tenantId));
  const consumerRows = await client.query<ConsumerRow>(selectConsumers(tenantId));
  const listenerRows = await client.query<ListenerRow>(selectListeners(tenantId));
  const currentServices = byOwner(serviceRows.rows, (s: ServiceConfig) => s.name, serviceConfigOf);
  const currentRoutes = byOwner(routeRows.rows, (r: RouteConfig) => r.name, routeConfigOf);
  const currentConsumers = byOwner(consumerRows.rows, (c: ConsumerConfig) => c.username, consumerConfigOf);
  const currentListeners = byOwner(listenerRows.rows, (l: ListenerConfig) => l.name, listenerConfigOf);
  const bodyListeners = body.listeners ?? [];
  const mergedListeners = [...bodyListeners, ...operatorObjectsToKeep(bodyListeners, 'listeners', (l) => l.name, currentListeners.operator)];

  const merged: GatewayConfig = {
    services: [...body.services, ...operatorObjectsToKeep(body.services, 'services', (s) => s.name, currentServices.operator)],
    routes: [...body.routes, ...operatorObjectsToKeep(body.routes, 'routes', (r) => r.name, currentRoutes.operator)],
    consumers: [...body.consumers, ...operatorObjectsToKeep(body.consumers, 'consumers', (c) => c.username, currentConsumers.operator)],
    ...(mergedListeners.length > 0 ? { listeners: mergedListeners } : {}),
  };
  const check = gatewayConfigSchema.safeParse(merged);
  if (!check.success) throw invalidConfig(problemsFromZodError(check.error, ['config']), 'config conflicts with operator-managed objects');
  assertNoConflictsIn(body.routes, [...currentRoutes.operator.values()], 'config.', mergedListeners);
  await assertConfigWithinPlan(client, plan, merged);

  const apiOnly: GatewayConfig = {
    services: body.services.filter((s) => !currentServices.operator.has(s.name)),
    routes: body.routes.filter((r) => !currentRoutes.operator.has(r.name)),
    consumers: body.consumers.filter((c) => !currentConsumers.operator.has(c.username)),
    listeners: bodyListeners.filter((l) => !currentListeners.operator.has(l.name)),
  };
  await replaceApiObjects(client, tenantId, apiOnly, {
    services: currentServices.api,
    routes: currentRoutes.api,
    consumers: currentConsumers.api,
    listeners: currentListeners.api,
  });
  await replaceApiCertificates(client, tenantId, certificates.certificates, certificates.box, certificates.now);
}

/** The config's precondition (DESIGN §3): version_conflict once the tenant has moved past `expectedVersion`. */
export function assertAtVersion(latest: number, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== latest) {
    throw new StoreError('version_conflict', `config is at version ${latest}, not ${expectedVersion}`);
  }
}

/**
 * Makes the tenant's API-managed objects equal `body` in one transaction under the tenant lock and records the
 * new config version. `expectedVersion`, when given, is a precondition (version_conflict once the tenant has
 * moved on); the operator's objects stay as they are, and the merged whole must be valid and within the plan.
 */
export async function replaceApiConfig(
  db: TenantDb,
  tenantId: string,
  body: GatewayConfig,
  expectedVersion: number | undefined,
  certificates: CertificateReplacement,
): Promise<ConfigVersion> {
  return db.transaction(tenantId, 'write', async (client) => {
    const tenant = await lockTenantForConfigChange(client, tenantId);
    if (tenant === null) throw notFound('tenant');
    assertAtVersion((await newestConfigVersionNumber(client, tenantId)) ?? 0, expectedVersion);
    await applyApiConfig(client, tenantId, tenant.plan, body, certificates);
    return recordConfigVersion(client, tenantId, { by: 'api' });
  });
}
