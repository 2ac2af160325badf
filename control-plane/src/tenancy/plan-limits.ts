// Plan limits (DESIGN §3): how many services, routes and consumers a tenant's plan allows, checked inside the
// write's transaction (under the tenant lock, so two writers cannot both take the last slot).
import type { GatewayConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import type { AnyEntityKind } from './entities.js';
import { quotedTenantSchema } from './schema-name.js';
import { conflict, planLimitExceeded } from './store-error.js';

/** Refuses one more row of `kind` when the tenant already holds as many as `plan` allows. */
export async function assertWithinPlan(db: Queryable, kind: AnyEntityKind, tenantId: string, plan: string): Promise<void> {
  const count = `(SELECT count(*)::int FROM ${quotedTenantSchema(tenantId)}.${kind.table}) AS count`;
  const limit = kind.planLimit;
  if ('max' in limit) {
    // A kind plans do not limit: the gateway schema's bound, as a 409 conflict like other per-tenant caps.
    const { rows } = await db.query<{ count: number }>(`SELECT ${count}`);
    if ((rows[0]?.count ?? 0) >= limit.max) throw conflict(`a tenant stores at most ${limit.max} ${kind.table}`);
    return;
  }
  // The plan's limit and the current count in one round trip.
  const { rows } = await db.query<{ max: number | null; count: number }>(
    `SELECT (SELECT ${limit.column} FROM public.plans WHERE name = $1) AS max, ${count}`,
    [plan],
  );
  const max = rows[0]?.max ?? null;
  if (max !== null && (rows[0]?.count ?? 0) >= max) throw planLimitExceeded(kind.table, max, plan);
}

/** Refuses a whole config holding more services, routes or consumers than `plan` allows. */
export async function assertConfigWithinPlan(db: Queryable, plan: string, config: GatewayConfig): Promise<void> {
  const { rows } = await db.query<{ max_services: number | null; max_routes: number | null; max_consumers: number | null }>(
    'SELECT max_services, max_routes, max_consumers FROM public.plans WHERE name = $1',
    [plan],
  );
  const limits = rows[0];
  if (limits === undefined) return;
  const checks: [string, number, number | null][] = [
    ['services', config.services.length, limits.max_services],
    ['routes', config.routes.length, limits.max_routes],
    ['consumers', config.consumers.length, limits.max_consumers],
  ];
  for (const [what, count, max] of checks) if (max !== null && count > max) throw planLimitExceeded(what, max, plan);
}
