// GET list, POST create, GET/PUT/DELETE one: the same five endpoints for services, routes and consumers.
// Every write runs in one transaction under the tenant lock and records the new config version.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { recordConfigVersion, lockTenantForConfigChange } from '../config/versions.js';
import type { Queryable } from '../db/pool.js';
import { managedByOperator, notFound, parseOrThrow, planLimitExceeded } from '../http/errors.js';
import { quotedTenantSchema, uuidLiteral } from '../tenancy/schema-name.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import type { EntityKind } from './entities.js';
import { describeRef, parseEntityRef, type EntityRef } from './entity-ref.js';
import type { ListCache } from './list-cache.js';

type AnyRow = { id: string; managed_by: 'api' | 'kubernetes'; created_at: string; updated_at: string };

/** The statement and values that select one row by id or by name. */
function selectOne(kind: EntityKind<unknown, AnyRow>, tenantId: string, ref: EntityRef): { text: string; values: string[] } {
  const column = ref.by === 'id' ? `${kind.alias}.id` : `${kind.alias}.${kind.nameField}`;
  return { text: `${kind.select(tenantId)} WHERE ${column} = $1`, values: [ref.by === 'id' ? ref.id : ref.name] };
}

function rowNotFound(kind: EntityKind<unknown, AnyRow>, ref: EntityRef): Error {
  return ref.by === 'id' ? notFound(kind.singular) : notFound(`${kind.singular} '${ref.name}'`);
}

async function findRow<Row extends AnyRow>(db: Queryable, kind: EntityKind<unknown, Row>, tenantId: string, ref: EntityRef): Promise<Row> {
  const { text, values } = selectOne(kind as EntityKind<unknown, AnyRow>, tenantId, ref);
  const { rows } = await db.query<Row>(text, values);
  if (rows[0] === undefined) throw rowNotFound(kind as EntityKind<unknown, AnyRow>, ref);
  return rows[0];
}

export async function assertWithinPlan(db: Queryable, kind: EntityKind<unknown, AnyRow>, tenantId: string, plan: string): Promise<void> {
  // The plan's limit and the current count in one round trip.
  const { rows } = await db.query<{ max: number | null; count: number }>(
    `SELECT (SELECT ${kind.planLimitColumn} FROM public.plans WHERE name = $1) AS max,
            (SELECT count(*)::int FROM ${quotedTenantSchema(tenantId)}.${kind.table}) AS count`,
    [plan],
  );
  const max = rows[0]?.max ?? null;
  if (max !== null && (rows[0]?.count ?? 0) >= max) throw planLimitExceeded(kind.table, max, plan);
}

/** Runs a config-changing write for `tenantId` and answers with the affected row as it now reads. */
async function writeEntity<Row extends AnyRow>(
  db: TenantDb,
  listCache: ListCache,
  kind: EntityKind<unknown, Row>,
  tenantId: string,
  write: (client: pg.PoolClient, plan: string) => Promise<string | null>,
): Promise<{ row: Row | null; configVersion: number }> {
  try {
    return await db.transaction(tenantId, 'write', async (client) => {
      const tenant = await lockTenantForConfigChange(client, tenantId);
      if (tenant === null) throw notFound('tenant');
      const id = await write(client, tenant.plan);
      const row = id === null ? null : await findRow(client, kind, tenantId, { by: 'id', id });
      const { version } = await recordConfigVersion(client, tenantId);
      return { row, configVersion: version };
    });
  } catch (error) {
    throw kind.explain(error) ?? error;
  } finally {
    // Before the answer: a client reading its own write from this replica sees it.
    listCache.invalidate(tenantId);
  }
}

export function registerEntityRoutes<Input, Row extends AnyRow>(
  app: FastifyInstance,
  db: TenantDb,
  listCache: ListCache,
  kind: EntityKind<Input, Row>,
): void {
  const anyKind = kind as unknown as EntityKind<unknown, Row>;

  app.get('', async (request, reply) => {
    const tenantId = request.tenantId;
    const body = await listCache.get(tenantId, kind.table, async () => {
      const { rows } = await db.query<Row>(tenantId, `${kind.select(tenantId)} ORDER BY ${kind.listOrder}`);
      return JSON.stringify({ data: rows.map(kind.present) });
    });
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.post('', async (request, reply) => {
    const tenantId = request.tenantId;
    const input = parseOrThrow(kind.input, request.body);
    const { row } = await writeEntity(db, listCache, anyKind, tenantId, async (client, plan) => {
      await assertWithinPlan(client, anyKind as EntityKind<unknown, AnyRow>, tenantId, plan);
      await kind.assertNoConflict?.(client, tenantId, input, null, 'all');
      return kind.insert(client, tenantId, input, 'api');
    });
    return reply.code(201).send(kind.present(row as Row));
  });

  app.get<{ Params: { id: string } }>('/:id', async (request) => {
    const ref = parseEntityRef(request.params.id, 'id');
    // A validated id as a literal: a statement without parameters reads as the tenant in one round trip.
    const { rows } =
      ref.by === 'id'
        ? await db.query<Row>(request.tenantId, `${kind.select(request.tenantId)} WHERE ${kind.alias}.id = ${uuidLiteral(ref.id)}`)
        : await db.query<Row>(request.tenantId, selectOne(anyKind as EntityKind<unknown, AnyRow>, request.tenantId, ref).text, [ref.name]);
    if (rows[0] === undefined) throw rowNotFound(anyKind as EntityKind<unknown, AnyRow>, ref);
    return kind.present(rows[0]);
  });

  app.put<{ Params: { id: string } }>('/:id', async (request) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const input = parseOrThrow(kind.input, request.body);
    const { row } = await writeEntity(db, listCache, anyKind, tenantId, async (client) => {
      const existing = await findRow(client, anyKind, tenantId, ref);
      if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef(kind.singular, ref));
      await kind.assertNoConflict?.(client, tenantId, input, existing.id, 'all');
      await kind.update(client, tenantId, existing.id, input);
      return existing.id;
    });
    return kind.present(row as Row);
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    await writeEntity(db, listCache, anyKind, tenantId, async (client) => {
      const existing = await findRow(client, anyKind, tenantId, ref);
      if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef(kind.singular, ref));
      await client.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.${kind.table} WHERE id = $1`, [existing.id]);
      return null;
    });
    return reply.code(204).send();
  });
}
