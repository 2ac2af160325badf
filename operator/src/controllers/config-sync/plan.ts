// Pure: the writes that turn a tenant's operator-managed rows (observed) into what its Routes and Consumers ask
// and Gateways ask for (desired). Level-triggered: computed from the whole current state, so a missed event or a restart costs
// nothing, and rows of resources deleted while the operator was down are removed on the next sync.
import type { ConsumerConfig, ListenerConfig, RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import { jsonEqual } from '../../conditions.js';

export type EntityTable = 'services' | 'routes' | 'consumers' | 'listeners';

export interface DesiredEntity<C> {
  config: C;
  /** The resource (`namespace/name`) a failed write is reported on. */
  owner: string;
}

export interface DesiredConfig {
  services: Map<string, DesiredEntity<ServiceConfig>>;
  routes: Map<string, DesiredEntity<RouteConfig>>;
  consumers: Map<string, DesiredEntity<ConsumerConfig>>;
  /** The listeners of the tenant's Gateways (Gateway API), by config name. */
  listeners: Map<string, DesiredEntity<ListenerConfig>>;
  /** The TLS Secrets their HTTPS listeners use, as pushed certificates (PEM), by config name. */
  certificates: Map<string, DesiredEntity<DesiredCertificate>>;
  /**
   * The Gateways are not known yet (their caches are still loading): the stored listeners and certificates are
   * left as they are rather than removed and written back a moment later.
   */
  keepListeners?: boolean;
}

/** A certificate the operator pushes: a kubernetes.io/tls Secret's `tls.crt` and `tls.key`. */
export interface DesiredCertificate {
  name: string;
  cert: string;
  key: string;
}

export interface ObservedEntity<C> {
  id: string;
  config: C;
}

export interface ObservedConfig {
  services: Map<string, ObservedEntity<ServiceConfig>>;
  routes: Map<string, ObservedEntity<RouteConfig>>;
  consumers: Map<string, ObservedEntity<ConsumerConfig>>;
  listeners: Map<string, ObservedEntity<ListenerConfig>>;
}

export type ConfigAction =
  | { op: 'delete'; table: EntityTable; name: string; id: string }
  | { op: 'insert'; table: 'services'; name: string; owner: string; config: ServiceConfig }
  | { op: 'insert'; table: 'routes'; name: string; owner: string; config: RouteConfig }
  | { op: 'insert'; table: 'consumers'; name: string; owner: string; config: ConsumerConfig }
  | { op: 'insert'; table: 'listeners'; name: string; owner: string; config: ListenerConfig }
  | { op: 'update'; table: 'services'; name: string; id: string; owner: string; config: ServiceConfig }
  | { op: 'update'; table: 'routes'; name: string; id: string; owner: string; config: RouteConfig }
  | { op: 'update'; table: 'consumers'; name: string; id: string; owner: string; config: ConsumerConfig }
  | { op: 'update'; table: 'listeners'; name: string; id: string; owner: string; config: ListenerConfig };

export function emptyDesired(): DesiredConfig {
  return { services: new Map(), routes: new Map(), consumers: new Map(), listeners: new Map(), certificates: new Map() };
}

function deletions(table: EntityTable, desired: Map<string, unknown>, observed: Map<string, ObservedEntity<unknown>>): ConfigAction[] {
  return [...observed]
    .filter(([name]) => !desired.has(name))
    .map(([name, row]) => ({ op: 'delete', table, name, id: row.id }) as ConfigAction);
}

function upserts<C>(table: EntityTable, desired: Map<string, DesiredEntity<C>>, observed: Map<string, ObservedEntity<C>>): ConfigAction[] {
  const actions: ConfigAction[] = [];
  for (const [name, entity] of [...desired].sort(([a], [b]) => a.localeCompare(b))) {
    const row = observed.get(name);
    if (row === undefined) actions.push({ op: 'insert', table, name, owner: entity.owner, config: entity.config } as ConfigAction);
    else if (!jsonEqual(row.config, entity.config)) {
      actions.push({ op: 'update', table, name, id: row.id, owner: entity.owner, config: entity.config } as ConfigAction);
    }
  }
  return actions;
}

/**
 * Deletes first (routes before the services and listeners they name), then listeners and services before the
 * routes that name them, then consumers. An empty plan means the tenant's config already holds exactly what is
 * desired.
 */
export function planConfigChanges(desired: DesiredConfig, observed: ObservedConfig): ConfigAction[] {
  return [
    ...deletions('routes', desired.routes, observed.routes),
    ...deletions('consumers', desired.consumers, observed.consumers),
    ...deletions('services', desired.services, observed.services),
    ...(desired.keepListeners === true ? [] : deletions('listeners', desired.listeners, observed.listeners)),
    ...(desired.keepListeners === true ? [] : upserts('listeners', desired.listeners, observed.listeners)),
    ...upserts('services', desired.services, observed.services),
    ...upserts('routes', desired.routes, observed.routes),
    ...upserts('consumers', desired.consumers, observed.consumers),
  ];
}
