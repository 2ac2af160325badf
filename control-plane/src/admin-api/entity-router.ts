// GET list, POST create, GET/PUT/DELETE one: the same five endpoints for services, routes and consumers.
// Every write runs in one transaction under the tenant lock and records the new config version.
import { Router } from 'express';
import type pg from 'pg';
import { recordConfigVersion, lockTenantForConfigChange } from '../config/versions.js';
import { withTransaction, type Pool, type Queryable } from '../db/pool.js';
import { managedByOperator, notFound, parseOrThrow, planLimitExceeded, uuidParam } from '../http/errors.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import type { EntityKind } from './entities.js';

type AnyRow = { id: string; managed_by: 'api' | 'kubernetes'; created_at: string; updated_at: string };

async function findRow<Row extends AnyRow>(db: Queryable, kind: EntityKind<unknown, Row>, tenantId: string, id: string): Promise<Row> {
  const { rows } = await db.query<Row>(`${kind.select(tenantId)} WHERE ${kind.alias}.id = $1`, [id]);
  if (rows[0] === undefined) throw notFound(kind.singular);
  return rows[0];
}

export async function assertWithinPlan(db: Queryable, kind: EntityKind<unknown, AnyRow>, tenantId: string, plan: string): Promise<void> {
  const { rows } = await db.query<{ max: number | null }>(`SELECT ${kind.planLimitColumn} AS max FROM public.plans WHERE name = $1`, [plan]);
  const max = rows[0]?.max ?? null;
  if (max === null) return;
  const { rows: counted } = await db.query<{ count: string }>(`SELECT count(*) FROM ${quotedTenantSchema(tenantId)}.${kind.table}`);
  if (Number(counted[0]?.count ?? 0) >= max) throw planLimitExceeded(kind.table, max, plan);
}

/** Runs a config-changing write for `tenantId` and answers with the affected row as it now reads. */
async function writeEntity<Row extends AnyRow>(
  pool: Pool,
  kind: EntityKind<unknown, Row>,
  tenantId: string,
  write: (client: pg.PoolClient, plan: string) => Promise<string | null>,
): Promise<{ row: Row | null; configVersion: number }> {
  try {
    return await withTransaction(pool, async (client) => {
      const tenant = await lockTenantForConfigChange(client, tenantId);
      if (tenant === null) throw notFound('tenant');
      const id = await write(client, tenant.plan);
      const row = id === null ? null : await findRow(client, kind, tenantId, id);
      const { version } = await recordConfigVersion(client, tenantId);
      return { row, configVersion: version };
    });
  } catch (error) {
    throw kind.explain(error) ?? error;
  }
}

export function createEntityRouter<Input, Row extends AnyRow>(pool: Pool, kind: EntityKind<Input, Row>): Router {
  const router = Router({ mergeParams: true });
  const anyKind = kind as unknown as EntityKind<unknown, Row>;

  router.get('/', async (_req, res) => {
    const tenantId = res.locals.tenantId as string;
    const { rows } = await pool.query<Row>(`${kind.select(tenantId)} ORDER BY ${kind.listOrder}`);
    res.json({ data: rows.map(kind.present) });
  });

  router.post('/', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const input = parseOrThrow(kind.input, req.body);
    const { row } = await writeEntity(pool, anyKind, tenantId, async (client, plan) => {
      await assertWithinPlan(client, anyKind as EntityKind<unknown, AnyRow>, tenantId, plan);
      return kind.insert(client, tenantId, input, 'api');
    });
    res.status(201).json(kind.present(row as Row));
  });

  router.get('/:id', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    res.json(kind.present(await findRow(pool, anyKind, tenantId, uuidParam(req.params.id, 'id'))));
  });

  router.put('/:id', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const id = uuidParam(req.params.id, 'id');
    const input = parseOrThrow(kind.input, req.body);
    const { row } = await writeEntity(pool, anyKind, tenantId, async (client) => {
      const existing = await findRow(client, anyKind, tenantId, id);
      if (existing.managed_by === 'kubernetes') throw managedByOperator(`${kind.singular} '${id}'`);
      await kind.update(client, tenantId, id, input);
      return id;
    });
    res.json(kind.present(row as Row));
  });

  router.delete('/:id', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const id = uuidParam(req.params.id, 'id');
    await writeEntity(pool, anyKind, tenantId, async (client) => {
      const existing = await findRow(client, anyKind, tenantId, id);
      if (existing.managed_by === 'kubernetes') throw managedByOperator(`${kind.singular} '${id}'`);
      await client.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.${kind.table} WHERE id = $1`, [id]);
      return null;
    });
    res.status(204).end();
  });

  return router;
}
