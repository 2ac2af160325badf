// Route conflicts in the store (DESIGN §10): a route that would claim the same requests as a route already
// stored (same host, path shape, methods and header/query matches) is refused with a `conflict` StoreError naming the other route.
import type { RouteConfig } from '@novagate/gateway/config';
import { describeOverlap, findRouteConflicts, routeOverlap, type RouteClaim } from '@novagate/gateway/routing/conflicts';
import type { Queryable } from '../db/pool.js';
import { pathsFromColumn } from './path-column.js';
import { quotedTenantSchema } from './schema-name.js';
import { conflict } from './store-error.js';

interface ClaimRow {
  name: string;
  paths: string[];
  methods: string[];
  hosts: string[];
  case_insensitive: boolean;
  listeners: string[] | null;
  match: RouteConfig['match'] | null;
}

/**
 * Refuses `route` when a stored route other than `selfId` claims the same requests. `against: 'api'` compares
 * with API-managed routes only: the operator settles conflicts among its own Routes by age before writing.
 */
export async function assertNoRouteConflict(
  db: Queryable,
  tenantId: string,
  route: RouteConfig,
  selfId: string | null,
  against: 'all' | 'api',
): Promise<void> {
  const { rows } = await db.query<ClaimRow>(
    `SELECT name, paths, methods, hosts, case_insensitive, options->'listeners' AS listeners, options->'match' AS match FROM ${quotedTenantSchema(tenantId)}.routes
      WHERE id IS DISTINCT FROM $1 ${against === 'api' ? "AND managed_by = 'api'" : ''} ORDER BY position`,
    [selfId],
  );
  // Listeners a Gateway owns: a route without `listeners` is never on them (DESIGN §10).
  const ownedRows = await db.query<{ name: string }>(`SELECT name FROM ${quotedTenantSchema(tenantId)}.listeners WHERE spec ? 'gateway'`);
  const owned = new Set(ownedRows.rows.map((row) => row.name));
  for (const row of rows) {
    const other: RouteClaim = {
      name: row.name,
      paths: pathsFromColumn(row.paths),
      methods: row.methods,
      hosts: row.hosts,
      caseInsensitive: row.case_insensitive,
      listeners: row.listeners ?? undefined,
      match: row.match ?? undefined,
    };
    const overlap = routeOverlap(route, other, owned);
    if (overlap !== null) {
      throw conflict(`route '${route.name}' claims the same requests as route '${row.name}' (${describeOverlap(overlap)})`, 'paths');
    }
  }
}

/**
 * Refuses a whole config whose routes conflict: among themselves (file order decides who is named) or with
 * `established` routes (the operator's, which stay as they are, so the body's route is the one refused).
 */
export function assertNoConflictsIn(
  routes: readonly RouteConfig[],
  established: readonly RouteConfig[],
  prefix: string,
  listeners: readonly { name: string; gateway?: string | undefined }[] = [],
): void {
  const establishedNames = new Set(established.map((route) => route.name));
  const candidates = [...established, ...routes.filter((route) => !establishedNames.has(route.name))];
  const owned = new Set(listeners.filter((listener) => listener.gateway !== undefined).map((listener) => listener.name));
  const [first] = findRouteConflicts(candidates, owned);
  if (first === undefined) return;
  const index = routes.findIndex((route) => route.name === first.route.name);
  throw conflict(
    `route '${first.route.name}' claims the same requests as route '${first.winner.name}' (${describeOverlap(first.overlap)})`,
    `${prefix}routes[${index}].paths`,
  );
}
