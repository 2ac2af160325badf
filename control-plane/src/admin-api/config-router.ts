// /tenants/:tenantId/config: read the newest config version, or replace the tenant's API-managed services,
// routes and consumers with a whole declarative config in one transaction (DESIGN §3).
import type { FastifyInstance } from 'fastify';
import {
  canonicalJson,
  gatewayConfigSchema,
  problemsFromZodError,
  type ConsumerConfig,
  type GatewayConfig,
  type RouteConfig,
  type ServiceConfig,
} from '@novagate/gateway/config';
import { z } from 'zod';
import type pg from 'pg';
import { latestConfigVersion, lockTenantForConfigChange, recordConfigVersion } from '../config/versions.js';
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
import type { TenantDb } from '../tenancy/tenant-db.js';
import { ApiError, managedByOperator, notFound, planLimitExceeded, validationFailed } from '../http/errors.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { consumers, OPERATOR_NAME_PREFIX, routes, services } from './entities.js';
import type { ListCache } from './list-cache.js';
import { assertNoConflictsIn } from './route-conflicts.js';
import { isUuidShaped, UUID_SHAPED_NAME_MESSAGE } from './entity-ref.js';
import { CONFIG_BODY_LIMIT } from '../http/limits.js';

const putConfigBody = z.strictObject({
  version: z.int().min(0).optional(),
  config: z.unknown(),
});

interface Named {
  managed_by: 'api' | 'kubernetes';
  id: string;
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
 * Checks the body's objects against operator-managed ones: an identical copy is fine, a changed one is 409,
 * a new `k8s.` name is refused. Returns the operator objects the body did not mention, to keep.
 */
function operatorObjectsToKeep<C>(
  list: C[],
  listName: string,
  nameOf: (c: C) => string,
  operator: Map<string, C>,
): C[] {
  const mentioned = new Set<string>();
  list.forEach((item, index) => {
    const name = nameOf(item);
    const managed = operator.get(name);
    if (managed !== undefined) {
      if (canonicalJson(managed) !== canonicalJson(item)) throw managedByOperator(`${listName}[${index}] '${name}'`);
      mentioned.add(name);
    } else if (name.startsWith(OPERATOR_NAME_PREFIX)) {
      throw validationFailed([{ path: `config.${listName}[${index}]`, message: `names starting with '${OPERATOR_NAME_PREFIX}' are reserved for the Kubernetes operator` }]);
    } else if (isUuidShaped(name)) {
      throw validationFailed([{ path: `config.${listName}[${index}].${listName === 'consumers' ? 'username' : 'name'}`, message: UUID_SHAPED_NAME_MESSAGE }]);
    }
  });
  return [...operator.entries()].filter(([name]) => !mentioned.has(name)).map(([, config]) => config);
}

async function assertPlanAllows(client: pg.PoolClient, plan: string, merged: GatewayConfig): Promise<void> {
  const { rows } = await client.query<{ max_services: number | null; max_routes: number | null; max_consumers: number | null }>(
    'SELECT max_services, max_routes, max_consumers FROM public.plans WHERE name = $1',
    [plan],
  );
  const limits = rows[0];
  if (limits === undefined) return;
  const checks: [string, number, number | null][] = [
    ['services', merged.services.length, limits.max_services],
    ['routes', merged.routes.length, limits.max_routes],
    ['consumers', merged.consumers.length, limits.max_consumers],
  ];
  for (const [what, count, max] of checks) if (max !== null && count > max) throw planLimitExceeded(what, max, plan);
}

/** Replaces the API-managed rows of one tenant with `body` (already validated together with operator rows). */
async function replaceApiObjects(
  client: pg.PoolClient,
  tenantId: string,
  body: GatewayConfig,
  current: { services: Map<string, string>; routes: Map<string, string>; consumers: Map<string, string> },
): Promise<void> {
  const schema = quotedTenantSchema(tenantId);
  const keep = <C>(list: C[], nameOf: (c: C) => string) => new Set(list.map(nameOf));
  const routeNames = keep(body.routes, (r: RouteConfig) => r.name);
  const serviceNames = keep(body.services, (s: ServiceConfig) => s.name);
  const usernames = keep(body.consumers, (c: ConsumerConfig) => c.username);
  const stale = (map: Map<string, string>, names: Set<string>) => [...map].filter(([name]) => !names.has(name)).map(([, id]) => id);

  await client.query(`DELETE FROM ${schema}.routes WHERE id = ANY($1::uuid[])`, [stale(current.routes, routeNames)]);
  await client.query(`DELETE FROM ${schema}.consumers WHERE id = ANY($1::uuid[])`, [stale(current.consumers, usernames)]);
  // Clear unique consumer credentials first: the final set is unique, but a swap between two consumers
  // would trip the unique index half way through.
  await client.query(`UPDATE ${schema}.consumers SET jwt_subject = NULL, api_key_hashes = '{}' WHERE managed_by = 'api'`);

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
  await client.query(`DELETE FROM ${schema}.services WHERE id = ANY($1::uuid[])`, [stale(current.services, serviceNames)]);
}

export function registerConfigRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache): void {
  app.get('', async (request) => {
    const latest = await db.transaction(request.tenantId, 'read', (client) => latestConfigVersion(client, request.tenantId));
    if (latest === null) throw notFound('config');
    return { version: latest.version, hash: latest.hash, config: latest.config };
  });

  app.put('', { bodyLimit: CONFIG_BODY_LIMIT }, async (request) => {
    const tenantId = request.tenantId;
    const parsedBody = putConfigBody.safeParse(request.body);
    if (!parsedBody.success) throw validationFailed(problemsFromZodError(parsedBody.error));
    if (parsedBody.data.config === undefined) throw validationFailed([{ path: 'config', message: 'is required' }]);
    const parsedConfig = gatewayConfigSchema.safeParse(parsedBody.data.config);
    if (!parsedConfig.success) throw validationFailed(problemsFromZodError(parsedConfig.error, ['config']), 'config is invalid');
    const body = parsedConfig.data;
    const expectedVersion = parsedBody.data.version;

    const result = await db.transaction(tenantId, 'write', async (client) => {
      const tenant = await lockTenantForConfigChange(client, tenantId);
      if (tenant === null) throw notFound('tenant');
      const latest = await latestConfigVersion(client, tenantId);
      if (expectedVersion !== undefined && expectedVersion !== (latest?.version ?? 0)) {
        throw new ApiError(409, 'version_conflict', `config is at version ${latest?.version ?? 0}, not ${expectedVersion}`);
      }
      const serviceRows = await client.query<ServiceRow>(selectServices(tenantId));
      const routeRows = await client.query<RouteRow>(selectRoutes(tenantId));
      const consumerRows = await client.query<ConsumerRow>(selectConsumers(tenantId));
      const currentServices = byOwner(serviceRows.rows, (s: ServiceConfig) => s.name, serviceConfigOf);
      const currentRoutes = byOwner(routeRows.rows, (r: RouteConfig) => r.name, routeConfigOf);
      const currentConsumers = byOwner(consumerRows.rows, (c: ConsumerConfig) => c.username, consumerConfigOf);

      const merged: GatewayConfig = {
        services: [...body.services, ...operatorObjectsToKeep(body.services, 'services', (s) => s.name, currentServices.operator)],
        routes: [...body.routes, ...operatorObjectsToKeep(body.routes, 'routes', (r) => r.name, currentRoutes.operator)],
        consumers: [
          ...body.consumers,
          ...operatorObjectsToKeep(body.consumers, 'consumers', (c) => c.username, currentConsumers.operator),
        ],
      };
      const check = gatewayConfigSchema.safeParse(merged);
      if (!check.success) throw validationFailed(problemsFromZodError(check.error, ['config']), 'config conflicts with operator-managed objects');
      assertNoConflictsIn(body.routes, [...currentRoutes.operator.values()], 'config.');
      await assertPlanAllows(client, tenant.plan, merged);

      const apiOnly: GatewayConfig = {
        services: body.services.filter((s) => !currentServices.operator.has(s.name)),
        routes: body.routes.filter((r) => !currentRoutes.operator.has(r.name)),
        consumers: body.consumers.filter((c) => !currentConsumers.operator.has(c.username)),
      };
      await replaceApiObjects(client, tenantId, apiOnly, {
        services: currentServices.api,
        routes: currentRoutes.api,
        consumers: currentConsumers.api,
      });
      return recordConfigVersion(client, tenantId);
    }).finally(() => listCache.invalidate(tenantId));
    return { version: result.version, hash: result.hash };
  });
}
