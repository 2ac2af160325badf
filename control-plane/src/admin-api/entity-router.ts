// GET list, POST create, GET/PUT/DELETE one: the same five endpoints for services, routes and consumers, over
// the data layer's entity store (tenancy/entity-store.ts).
import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../http/errors.js';
import type { EntityKind, EntityRow } from '../tenancy/entities.js';
import { createEntity, deleteEntity, getEntity, listEntities, updateEntity } from '../tenancy/entity-store.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import type { EntityApi } from './entities.js';
import { parseEntityRef } from './entity-ref.js';
import type { ListCache } from './list-cache.js';

export function registerEntityRoutes<Input, Row extends EntityRow>(
  app: FastifyInstance,
  db: TenantDb,
  listCache: ListCache,
  entity: EntityApi<Input, Row>,
): void {
  const { kind } = entity;
  const anyKind = kind as unknown as EntityKind<unknown, Row>;
  // Before the answer: a client reading its own write from this replica sees it.
  const invalidating = async <T>(tenantId: string, write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } finally {
      listCache.invalidate(tenantId);
    }
  };

  app.get('', async (request, reply) => {
    const tenantId = request.tenantId;
    const body = await listCache.get(tenantId, kind.table, async () =>
      JSON.stringify({ data: (await listEntities(db, anyKind, tenantId)).map(entity.present) }),
    );
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.post('', async (request, reply) => {
    const tenantId = request.tenantId;
    const input = parseOrThrow(entity.input, request.body);
    const row = await invalidating(tenantId, createEntity(db, kind, tenantId, input));
    return reply.code(201).send(entity.present(row));
  });

  app.get<{ Params: { id: string } }>('/:id', async (request) => {
    const ref = parseEntityRef(request.params.id, 'id');
    return entity.present(await getEntity(db, anyKind, request.tenantId, ref));
  });

  app.put<{ Params: { id: string } }>('/:id', async (request) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const input = parseOrThrow(entity.input, request.body);
    return entity.present(await invalidating(tenantId, updateEntity(db, kind, tenantId, ref, input)));
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    await invalidating(tenantId, deleteEntity(db, anyKind, tenantId, ref));
    return reply.code(204).send();
  });
}
