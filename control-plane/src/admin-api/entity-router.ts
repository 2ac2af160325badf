// GET list, POST create, GET/PUT/DELETE one: the same five endpoints for services, routes and consumers, over
// the data layer's entity store (tenancy/entity-store.ts).
import type { FastifyInstance } from 'fastify';
import { ApiError, parseOrThrow } from '../http/errors.js';
import { entityEtag, MAX_IF_MATCH_LENGTH } from '../tenancy/entity-etag.js';
import type { EntityKind, EntityRow } from '../tenancy/entities.js';
import { createEntity, deleteEntity, getEntity, listEntities, updateEntity } from '../tenancy/entity-store.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import type { EntityApi } from './entities.js';
import { parseEntityRef } from './entity-ref.js';
import type { ListCache } from './list-cache.js';

/** The request's If-Match (optimistic concurrency for PUT and DELETE), or undefined when it sent none. */
function ifMatchOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value.length > MAX_IF_MATCH_LENGTH) {
    throw new ApiError(400, 'validation_failed', `If-Match is longer than ${MAX_IF_MATCH_LENGTH} characters`, [
      { path: 'headers.if-match', message: `must be at most ${MAX_IF_MATCH_LENGTH} characters` },
    ]);
  }
  return value;
}

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
    return reply.code(201).header('etag', entityEtag(row)).send(entity.present(row));
  });

  // ETag on every answer holding one object; If-Match on PUT and DELETE makes the write conditional (412
  // precondition_failed when the object changed since the client read it). Without If-Match a write is unconditional.
  app.get<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const ref = parseEntityRef(request.params.id, 'id');
    const row = await getEntity(db, anyKind, request.tenantId, ref);
    return reply.header('etag', entityEtag(row)).send(entity.present(row));
  });

  app.put<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const ifMatch = ifMatchOf(request.headers['if-match']);
    const input = parseOrThrow(entity.input, request.body);
    const row = await invalidating(tenantId, updateEntity(db, kind, tenantId, ref, input, ifMatch));
    return reply.header('etag', entityEtag(row)).send(entity.present(row));
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    await invalidating(tenantId, deleteEntity(db, anyKind, tenantId, ref, ifMatchOf(request.headers['if-match'])));
    return reply.code(204).send();
  });
}
