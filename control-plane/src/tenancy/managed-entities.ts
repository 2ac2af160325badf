// The services, routes, consumers and listeners the Kubernetes operator manages (`managed_by = 'kubernetes'`, DESIGN §7),
// read as the gateway config objects they store: all of a tenant's, or one by name.
import type { ConsumerConfig, ListenerConfig, RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import type { ConsumerRow, ListenerRow, RouteRow, ServiceRow } from './config-snapshot.js';
import { consumers, listeners, routes, services, type EntityKind, type EntityRow } from './entities.js';

export interface ManagedEntity<Config> {
  id: string;
  config: Config;
}

/** Each kind's managed rows by name (username for consumers). */
export interface ManagedEntities {
  services: Map<string, ManagedEntity<ServiceConfig>>;
  routes: Map<string, ManagedEntity<RouteConfig>>;
  consumers: Map<string, ManagedEntity<ConsumerConfig>>;
  listeners: Map<string, ManagedEntity<ListenerConfig>>;
}

const managed = (alias: string) => `WHERE ${alias}.managed_by = 'kubernetes'`;

/** All of the tenant's managed rows: services, then routes, then consumers, then listeners. */
export async function readManagedEntities(db: Queryable, tenantId: string): Promise<ManagedEntities> {
  const serviceRows = await db.query<ServiceRow>(`${services.select(tenantId)} ${managed(services.alias)}`);
  const routeRows = await db.query<RouteRow>(`${routes.select(tenantId)} ${managed(routes.alias)}`);
  const consumerRows = await db.query<ConsumerRow>(`${consumers.select(tenantId)} ${managed(consumers.alias)}`);
  const listenerRows = await db.query<ListenerRow>(`${listeners.select(tenantId)} ${managed(listeners.alias)}`);
  return {
    services: new Map(serviceRows.rows.map((row) => [row.name, { id: row.id, config: services.configOf(row) }])),
    routes: new Map(routeRows.rows.map((row) => [row.name, { id: row.id, config: routes.configOf(row) }])),
    consumers: new Map(consumerRows.rows.map((row) => [row.username, { id: row.id, config: consumers.configOf(row) }])),
    listeners: new Map(listenerRows.rows.map((row) => [row.name, { id: row.id, config: listeners.configOf(row) }])),
  };
}

/** The config of the managed row of `kind` named `name` (username for a consumer); null when there is none such. */
export async function findManagedConfig<Config, Row extends EntityRow>(
  db: Queryable,
  kind: EntityKind<Config, Row>,
  tenantId: string,
  name: string,
): Promise<Config | null> {
  const { rows } = await db.query<Row>(`${kind.select(tenantId)} WHERE ${kind.alias}.${kind.nameField} = $1 AND ${kind.alias}.managed_by = 'kubernetes'`, [name]);
  return rows[0] === undefined ? null : kind.configOf(rows[0]);
}
