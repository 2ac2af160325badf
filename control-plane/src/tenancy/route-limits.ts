// Config-wide limits a route write must keep (DESIGN §10): the schema checks them on a whole config (PUT /config,
// the gateway), but a route written on its own — by the admin API or the operator, whose HTTPRoutes come from any
// namespace a listener admits — must not push the tenant's config past them, or every gateway would refuse every
// later version. Today: at most MAX_REGEX_PATHS_PER_CONFIG RegularExpression paths in all the tenant's routes.
import { MAX_REGEX_PATHS_PER_CONFIG, type RouteConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { invalidConfig } from './store-error.js';

/** How many of a route's paths are RegularExpression paths. */
export function regexPathCount(route: Pick<RouteConfig, 'paths'>): number {
  return route.paths.filter((path) => typeof path !== 'string' && path.type === 'RegularExpression').length;
}

/** Refuses `route` (replacing `selfId`) when it would take the tenant past the config-wide RegularExpression budget. */
export async function assertRegexPathBudget(db: Queryable, tenantId: string, route: RouteConfig, selfId: string | null): Promise<void> {
  const own = regexPathCount(route);
  if (own === 0) return;
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) AS count FROM ${quotedTenantSchema(tenantId)}.routes AS r, unnest(r.paths) AS p(entry)
      WHERE r.id IS DISTINCT FROM $1 AND p.entry LIKE '{%' AND (p.entry::jsonb ->> 'type') = 'RegularExpression'`,
    [selfId],
  );
  const others = Number(rows[0]?.count ?? 0);
  if (others + own > MAX_REGEX_PATHS_PER_CONFIG) {
    const message = `the tenant's routes may hold at most ${MAX_REGEX_PATHS_PER_CONFIG} RegularExpression paths in all; the others hold ${others}, this route ${own}`;
    throw invalidConfig([{ path: 'paths', message }], `route '${route.name}' is refused`);
  }
}
