// The admin API's view of the three entities (DESIGN §3): the input schema of each (listeners too, DESIGN §10) (the gateway's own, with
// the names reserved for the operator refused) and how a stored row is presented.
import { consumerSchema, listenerSchema, routeSchema, serviceSchema, type ConsumerConfig, type ListenerConfig, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
import { z } from 'zod';
import type { ConsumerRow, ListenerRow, RouteRow, ServiceRow } from '../tenancy/config-snapshot.js';
import {
  consumers as consumerKind,
  listeners as listenerKind,
  isOperatorName,
  RESERVED_NAME_MESSAGE,
  routes as routeKind,
  services as serviceKind,
  type EntityKind,
  type EntityRow,
} from '../tenancy/entities.js';
import { isUuidShaped, UUID_SHAPED_NAME_MESSAGE } from '../tenancy/entity-ref.js';

const notOperatorName = (value: string) => !isOperatorName(value);

export interface EntityApi<Input, Row extends EntityRow> {
  kind: EntityKind<Input, Row>;
  input: z.ZodType<Input>;
  present(row: Row): Record<string, unknown>;
}

function presentRow<Row extends EntityRow>(row: Row, config: object): Record<string, unknown> {
  return { id: row.id, ...config, managedBy: row.managed_by, createdAt: row.created_at, updatedAt: row.updated_at };
}

export const services: EntityApi<ServiceConfig, ServiceRow> = {
  kind: serviceKind,
  input: serviceSchema
    .refine((s) => notOperatorName(s.name), { message: RESERVED_NAME_MESSAGE, path: ['name'] })
    .refine((s) => !isUuidShaped(s.name), { message: UUID_SHAPED_NAME_MESSAGE, path: ['name'] }),
  present: (row) => presentRow(row, serviceKind.configOf(row)),
};

export const routes: EntityApi<RouteConfig, RouteRow> = {
  kind: routeKind,
  input: routeSchema
    .refine((r) => notOperatorName(r.name), { message: RESERVED_NAME_MESSAGE, path: ['name'] })
    .refine((r) => !isUuidShaped(r.name), { message: UUID_SHAPED_NAME_MESSAGE, path: ['name'] }),
  present: (row) => presentRow(row, routeKind.configOf(row)),
};

export const consumers: EntityApi<ConsumerConfig, ConsumerRow> = {
  kind: consumerKind,
  input: consumerSchema
    .refine((c) => notOperatorName(c.username), { message: RESERVED_NAME_MESSAGE, path: ['username'] })
    .refine((c) => !isUuidShaped(c.username), { message: UUID_SHAPED_NAME_MESSAGE, path: ['username'] }),
  present: (row) => presentRow(row, consumerKind.configOf(row)),
};

export const listeners: EntityApi<ListenerConfig, ListenerRow> = {
  kind: listenerKind,
  input: listenerSchema
    .refine((l) => notOperatorName(l.name), { message: RESERVED_NAME_MESSAGE, path: ['name'] })
    .refine((l) => !isUuidShaped(l.name), { message: UUID_SHAPED_NAME_MESSAGE, path: ['name'] }),
  present: (row) => presentRow(row, listenerKind.configOf(row)),
};
