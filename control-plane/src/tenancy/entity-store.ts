// Reading and writing one service, route or consumer of a tenant (the admin API's five endpoints). Every write
// runs in one tenant transaction under the tenant lock and records the new config version.
import type pg from 'pg';
import type { Queryable } from '../db/pool.js';
import { lockTenantForConfigChange, recordConfigVersion } from './config-versions.js';
import { deleteEntities, type EntityKind, type EntityRow } from './entities.js';
import { entityEtag, ifMatchAllows } from './entity-etag.js';
import { describeRef, type EntityRef } from './entity-ref.js';
import { assertWithinPlan } from './plan-limits.js';
import { uuidLiteral } from './schema-name.js';
import { managedByOperator, notFound, StoreError } from './store-error.js';
import type { TenantDb } from './tenant-db.js';

/** The statement and values that select one row by id or by name. */
function selectOne(kind: EntityKind<unknown, EntityRow>, tenantId: string, ref: EntityRef): { text: string; values: string[] } {
  const column = ref.by === 'id' ? `${kind.alias}.id` : `${kind.alias}.${kind.nameField}`;
  return { text: `${kind.select(tenantId)} WHERE ${column} = $1`, values: [ref.by === 'id' ? ref.id : ref.name] };
}

function rowNotFound(kind: EntityKind<unknown, EntityRow>, ref: EntityRef): Error {
  return ref.by === 'id' ? notFound(kind.singular) : notFound(`${kind.singular} '${ref.name}'`);
}

async function findRow<Row extends EntityRow>(db: Queryable, kind: EntityKind<unknown, Row>, tenantId: string, ref: EntityRef): Promise<Row> {
  const { text, values } = selectOne(kind as EntityKind<unknown, EntityRow>, tenantId, ref);
  const { rows } = await db.query<Row>(text, values);
  if (rows[0] === undefined) throw rowNotFound(kind as EntityKind<unknown, EntityRow>, ref);
  return rows[0];
}

/** Every row of `kind`, in list order. */
export async function listEntities<Row extends EntityRow>(db: TenantDb, kind: EntityKind<unknown, Row>, tenantId: string): Promise<Row[]> {
  const { rows } = await db.query<Row>(tenantId, `${kind.select(tenantId)} ORDER BY ${kind.listOrder}`);
  return rows;
}

/** One row of `kind` by id or name; not_found when there is none. */
export async function getEntity<Row extends EntityRow>(db: TenantDb, kind: EntityKind<unknown, Row>, tenantId: string, ref: EntityRef): Promise<Row> {
  // A validated id as a literal: a statement without parameters reads as the tenant in one round trip.
  const { rows } =
    ref.by === 'id'
      ? await db.query<Row>(tenantId, `${kind.select(tenantId)} WHERE ${kind.alias}.id = ${uuidLiteral(ref.id)}`)
      : await db.query<Row>(tenantId, selectOne(kind as EntityKind<unknown, EntityRow>, tenantId, ref).text, [ref.name]);
  if (rows[0] === undefined) throw rowNotFound(kind as EntityKind<unknown, EntityRow>, ref);
  return rows[0];
}

/** Runs a config-changing write for `tenantId` and answers with the affected row as it now reads. */
async function writeEntity<Row extends EntityRow>(
  db: TenantDb,
  kind: EntityKind<unknown, Row>,
  tenantId: string,
  write: (client: pg.PoolClient, plan: string) => Promise<string | null>,
): Promise<Row | null> {
  try {
    return await db.transaction(tenantId, 'write', async (client) => {
      const tenant = await lockTenantForConfigChange(client, tenantId);
      if (tenant === null) throw notFound('tenant');
      const id = await write(client, tenant.plan);
      const row = id === null ? null : await findRow(client, kind, tenantId, { by: 'id', id });
      await recordConfigVersion(client, tenantId, { by: 'api' });
      return row;
    });
  } catch (error) {
    throw kind.explain(error) ?? error;
  }
}

/** Creates an API-managed row within the tenant's plan; answers it as it now reads. */
export async function createEntity<Config, Row extends EntityRow>(
  db: TenantDb,
  kind: EntityKind<Config, Row>,
  tenantId: string,
  config: Config,
): Promise<Row> {
  const anyKind = kind as unknown as EntityKind<unknown, Row>;
  const row = await writeEntity(db, anyKind, tenantId, async (client, plan) => {
    await assertWithinPlan(client, anyKind as unknown as EntityKind<unknown, EntityRow>, tenantId, plan);
    await kind.assertNoConflict?.(client, tenantId, config, null, 'all');
    return kind.insert(client, tenantId, config, 'api');
  });
  return row as Row;
}

/** precondition_failed unless `ifMatch` (the client's If-Match, when it sent one) names the row as stored now. */
function assertIfMatch(kind: EntityKind<unknown, EntityRow>, ref: EntityRef, row: EntityRow, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const current = entityEtag(row);
  if (ifMatchAllows(ifMatch, current)) return;
  const message = `${describeRef(kind.singular, ref)} changed since it was read (it is now ${current}): read it again and reapply your change`;
  throw new StoreError('precondition_failed', message, [{ path: 'headers.if-match', message: `does not match the stored ${kind.singular} (${current})` }]);
}

/**
 * Replaces an API-managed row (managed_by_operator for the operator's; precondition_failed when `ifMatch` names
 * another state of it); answers it as it now reads.
 */
export async function updateEntity<Config, Row extends EntityRow>(
  db: TenantDb,
  kind: EntityKind<Config, Row>,
  tenantId: string,
  ref: EntityRef,
  config: Config,
  ifMatch?: string,
): Promise<Row> {
  const anyKind = kind as unknown as EntityKind<unknown, Row>;
  const row = await writeEntity(db, anyKind, tenantId, async (client) => {
    const existing = await findRow(client, anyKind, tenantId, ref);
    if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef(kind.singular, ref));
    assertIfMatch(anyKind as unknown as EntityKind<unknown, EntityRow>, ref, existing, ifMatch);
    await kind.assertNoConflict?.(client, tenantId, config, existing.id, 'all');
    await kind.update(client, tenantId, existing.id, config);
    return existing.id;
  });
  return row as Row;
}

/** Deletes an API-managed row (managed_by_operator for the operator's; in_use for a service routes use; precondition_failed as above). */
export async function deleteEntity<Row extends EntityRow>(
  db: TenantDb,
  kind: EntityKind<unknown, Row>,
  tenantId: string,
  ref: EntityRef,
  ifMatch?: string,
): Promise<void> {
  await writeEntity(db, kind, tenantId, async (client) => {
    const existing = await findRow(client, kind, tenantId, ref);
    if (existing.managed_by === 'kubernetes') throw managedByOperator(describeRef(kind.singular, ref));
    assertIfMatch(kind as unknown as EntityKind<unknown, EntityRow>, ref, existing, ifMatch);
    await kind.assertDeletable?.(client, tenantId, existing);
    await deleteEntities(client, tenantId, kind.table, [existing.id]);
    return null;
  });
}
