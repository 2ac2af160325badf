// Writes a tenant's operator-managed services, routes and consumers exactly as the admin API does: the admin
// API's own entity functions, in one transaction under the tenant lock, ending with recordConfigVersion (which
// adds the pending update and the NOTIFY that pushes the new version to the tenant's gateways).
import type { Pool, PoolClient } from 'pg';
import {
  ApiError,
  assertWithinPlan,
  consumerConfigOf,
  consumerEntities,
  lockTenantForConfigChange,
  quotedTenantSchema,
  recordConfigVersion,
  routeConfigOf,
  routeEntities,
  serviceConfigOf,
  serviceEntities,
  withTransaction,
  type ConsumerRow,
  type EntityKind,
  type RouteRow,
  type ServiceRow,
} from '@novagate/control-plane/tenancy';
import type { Problem } from '../evaluation.js';
import { planConfigChanges, type ConfigAction, type DesiredConfig, type ObservedConfig } from './plan.js';

export interface AppliedConfig {
  version: number;
  changed: boolean;
  /** Writes refused by the database or the plan, by owning resource (`namespace/name`). */
  problems: Map<string, Problem>;
}

// The three entity kinds with their input types erased: each action carries the config of its own table.
const KINDS = {
  services: serviceEntities,
  routes: routeEntities,
  consumers: consumerEntities,
} as unknown as Record<ConfigAction['table'], EntityKind<unknown, { id: string; managed_by: 'api' | 'kubernetes'; created_at: string; updated_at: string }>>;

async function readManaged(client: PoolClient, tenantId: string): Promise<ObservedConfig> {
  const managed = (alias: string) => `WHERE ${alias}.managed_by = 'kubernetes'`;
  const services = await client.query<ServiceRow>(`${serviceEntities.select(tenantId)} ${managed('s')}`);
  const routes = await client.query<RouteRow>(`${routeEntities.select(tenantId)} ${managed('r')}`);
  const consumers = await client.query<ConsumerRow>(`${consumerEntities.select(tenantId)} ${managed('c')}`);
  return {
    services: new Map(services.rows.map((row) => [row.name, { id: row.id, config: serviceConfigOf(row) }])),
    routes: new Map(routes.rows.map((row) => [row.name, { id: row.id, config: routeConfigOf(row) }])),
    consumers: new Map(consumers.rows.map((row) => [row.username, { id: row.id, config: consumerConfigOf(row) }])),
  };
}

const REASONS: Record<string, string> = {
  plan_limit_exceeded: 'PlanLimitExceeded',
  already_exists: 'Conflict',
  invalid_reference: 'InvalidReference',
  in_use: 'InUse',
};

/** A refusal a person can act on, or null for anything else (a failure to retry). */
function problemOf(table: ConfigAction['table'], error: unknown): Problem | null {
  const explained = error instanceof ApiError ? error : KINDS[table].explain(error);
  if (explained === null) return null;
  return { reason: REASONS[explained.code] ?? 'Refused', message: explained.message };
}

async function perform(client: PoolClient, tenantId: string, plan: string, action: ConfigAction): Promise<void> {
  const kind = KINDS[action.table];
  if (action.op === 'delete') {
    await client.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.${action.table} WHERE id = $1`, [action.id]);
  } else if (action.op === 'insert') {
    await assertWithinPlan(client, kind, tenantId, plan);
    await kind.insert(client, tenantId, action.config, 'kubernetes');
  } else {
    await kind.update(client, tenantId, action.id, action.config);
  }
}

/** Makes the tenant's managed rows equal `desired`; one refused write leaves only its owner out. */
export async function applyTenantConfig(pool: Pool, tenantId: string, desired: DesiredConfig): Promise<AppliedConfig | null> {
  return withTransaction(pool, async (client) => {
    const tenant = await lockTenantForConfigChange(client, tenantId);
    if (tenant === null) return null;
    const actions = planConfigChanges(desired, await readManaged(client, tenantId));
    const problems = new Map<string, Problem>();
    for (const action of actions) {
      if (action.op !== 'delete' && problems.has(action.owner)) continue; // its service was refused
      await client.query('SAVEPOINT operator_entity');
      try {
        await perform(client, tenantId, tenant.plan, action);
        await client.query('RELEASE SAVEPOINT operator_entity');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT operator_entity');
        const problem = action.op === 'delete' ? null : problemOf(action.table, error);
        if (problem === null || action.op === 'delete') throw error;
        problems.set(action.owner, problem);
      }
    }
    const { version, changed } = await recordConfigVersion(client, tenantId);
    return { version, changed, problems };
  });
}
