// Writes a tenant's operator-managed services, routes, consumers and listeners exactly as the admin API does: the data
// layer's own entity functions, in one transaction under the tenant lock, ending with recordConfigVersion (which
// adds the pending update and the NOTIFY that pushes the new version to the tenant's gateways).
import type { Pool, PoolClient } from 'pg';
import {
  assertWithinPlan,
  certificateRecord,
  deleteCertificates,
  insertCertificate,
  readManagedCertificates,
  updateCertificateRow,
  consumerEntities,
  deleteEntities,
  findManagedConfig,
  listenerEntities,
  inSavepoint,
  lockTenantForConfigChange,
  newestConfigVersionNumber,
  readManagedEntities,
  recordConfigVersion,
  routeEntities,
  serviceEntities,
  StoreError,
  UnknownTenantError,
  withTenantTransaction,
  type AnyEntityKind,
  type SecretBox,
  type StoreErrorCode,
} from '@novagate/control-plane/tenancy';
import type { RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import { jsonEqual } from '../../conditions.js';
import type { Problem } from '../evaluation.js';
import { planConfigChanges, type ConfigAction, type DesiredConfig } from './plan.js';

type Transaction = PoolClient;

export interface AppliedConfig {
  version: number;
  changed: boolean;
  /** Writes refused by the database or the plan, by owning resource (`namespace/name`). */
  problems: Map<string, Problem>;
  /** Owners whose rows this sync inserted or updated. */
  written: Set<string>;
  /**
   * Services no Route asks for any more that were kept: admin-API routes still name them in `backends` or
   * `mirrors` (deleting them would leave a config the gateways refuse). Deleted by a later sync once unused.
   */
  kept: string[];
}

// The three entity kinds with their input types erased: each action carries the config of its own table.
const KINDS = {
  services: serviceEntities,
  routes: routeEntities,
  consumers: consumerEntities,
  listeners: listenerEntities,
} as unknown as Record<ConfigAction['table'], AnyEntityKind>;

/** The condition reason of each data-layer refusal the operator can meet; any other is 'Refused'. */
const REASONS: Partial<Record<StoreErrorCode, string>> = {
  plan_limit_exceeded: 'PlanLimitExceeded',
  already_exists: 'Conflict',
  conflict: 'Conflicted',
  invalid_reference: 'InvalidReference',
  in_use: 'InUse',
};

/** A refusal a person can act on, or null for anything else (a failure to retry). */
function problemOf(table: ConfigAction['table'], error: unknown): Problem | null {
  const explained = error instanceof StoreError ? error : KINDS[table].explain(error);
  if (explained === null) return null;
  return { reason: REASONS[explained.code] ?? 'Refused', message: explained.message };
}

async function perform(client: PoolClient, tenantId: string, plan: string, action: ConfigAction): Promise<void> {
  const kind = KINDS[action.table];
  if (action.op === 'delete') {
    // The in-use checks read a row's id and name only (a service named by an API route's backends or mirrors).
    await kind.assertDeletable?.(client, tenantId, { id: action.id, name: action.name } as unknown as Parameters<NonNullable<AnyEntityKind['assertDeletable']>>[2]);
    await deleteEntities(client, tenantId, action.table, [action.id]);
  } else if (action.op === 'insert') {
    await assertWithinPlan(client, kind, tenantId, plan);
    // A listener must fit the tenant's others (one protocol per port, one per hostname and port): the gateways
    // would refuse the whole snapshot otherwise. Listeners of one sync are inserted in turn, so each sees the last.
    if (action.table === 'listeners') await kind.assertNoConflict?.(client, tenantId, action.config, null, 'all');
    await kind.insert(client, tenantId, action.config, 'kubernetes');
  } else {
    if (action.table === 'listeners') await kind.assertNoConflict?.(client, tenantId, action.config, action.id, 'all');
    await kind.update(client, tenantId, action.id, action.config);
  }
}

/**
 * Writes the desired certificates that are new or changed (the key sealed with `box`; a stored sealed key of the
 * same key is kept). A refused certificate is reported on its owner and returned by name: the listeners naming it
 * are left out too.
 */
async function upsertCertificates(
  client: Transaction,
  tenantId: string,
  desired: DesiredConfig,
  box: SecretBox | undefined,
  problems: Map<string, Problem>,
  written: Set<string>,
): Promise<Set<string>> {
  const refused = new Set<string>();
  if (desired.certificates.size === 0 || desired.keepListeners === true) return refused;
  const stored = await readManagedCertificates(client, tenantId);
  for (const [name, entity] of [...desired.certificates].sort(([a], [b]) => a.localeCompare(b))) {
    const existing = stored.get(name) ?? null;
    try {
      const changed = await inSavepoint(client, 'operator_certificate', async () => {
        const record = certificateRecord(entity.config, existing, box, tenantId, new Date(), '');
        if (existing === null) await insertCertificate(client, tenantId, record, 'kubernetes');
        else if (record.certPem !== existing.cert_pem || record.keySha256 !== existing.key_sha256 || record.keySealed !== existing.key_sealed) {
          await updateCertificateRow(client, tenantId, existing.id, record);
        } else return false;
        return true;
      });
      if (changed) written.add(entity.owner);
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      refused.add(name);
      problems.set(entity.owner, { reason: REASONS[error.code] ?? 'Refused', message: `certificate ${name}: ${error.message}` });
    }
  }
  return refused;
}

/**
 * Deletes the managed certificates no listener wants any more (after the listeners naming them went). A certificate
 * a stored listener still names stays: that listener's delete was refused (an admin-API route names it) or its
 * update was refused, and without the certificate every gateway would refuse the tenant's config.
 */
async function deleteUnwantedCertificates(client: Transaction, tenantId: string, desired: DesiredConfig): Promise<void> {
  const stored = await readManagedCertificates(client, tenantId);
  const named = new Set([...(await readManagedEntities(client, tenantId)).listeners.values()].flatMap((row) => row.config.tls?.certificates ?? []));
  const unwanted = [...stored].filter(([name]) => !desired.certificates.has(name) && !named.has(name)).map(([, row]) => row.id);
  if (unwanted.length > 0) await deleteCertificates(client, tenantId, unwanted);
}

/**
 * Makes the tenant's managed rows equal `desired`; one refused write leaves only its owner out. Route conflicts
 * are checked against API-managed routes only: conflicts among Routes were settled by age in `desired`.
 */
export async function applyTenantConfig(pool: Pool, tenantId: string, desired: DesiredConfig, box?: SecretBox): Promise<AppliedConfig | null> {
  // As the tenant's own database role, like every admin API write; a tenant without one does not exist.
  return withTenantTransaction(pool, tenantId, async (client) => {
    const tenant = await lockTenantForConfigChange(client, tenantId);
    if (tenant === null) return null;
    const actions = planConfigChanges(desired, await readManagedEntities(client, tenantId));
    const problems = new Map<string, Problem>();
    const written = new Set<string>();
    const kept: string[] = [];
    // Certificates before the listeners that name them; a listener naming a refused one is left out with it.
    const refusedCertificates = await upsertCertificates(client, tenantId, desired, box, problems, written);
    for (const action of actions) {
      if (action.op === 'delete' || action.table !== 'listeners') continue;
      const refused = (action.config.tls?.certificates ?? []).find((name) => refusedCertificates.has(name));
      if (refused !== undefined && !problems.has(action.owner)) {
        problems.set(action.owner, { reason: 'InvalidCertificateRef', message: `its certificate ${refused} was refused` });
      }
    }
    // Route conflicts first, so a refused Route's service is not written either (a service no route uses).
    for (const action of actions) {
      if (action.op === 'delete' || action.table !== 'routes') continue;
      try {
        await routeEntities.assertNoConflict?.(client, tenantId, action.config, action.op === 'update' ? action.id : null, 'api');
      } catch (error) {
        const problem = problemOf('routes', error);
        if (problem === null) throw error;
        problems.set(action.owner, problem);
      }
    }
    for (const action of actions) {
      if (action.op !== 'delete' && problems.has(action.owner)) continue; // its service was refused
      try {
        await inSavepoint(client, 'operator_entity', () => perform(client, tenantId, tenant.plan, action));
        if (action.op !== 'delete') written.add(action.owner);
      } catch (error) {
        if (action.op === 'delete') {
          if (error instanceof StoreError && error.code === 'in_use') {
            kept.push(action.name);
            continue;
          }
          throw error;
        }
        const problem = problemOf(action.table, error);
        if (problem === null) throw error;
        problems.set(action.owner, problem);
      }
    }
    if (desired.keepListeners !== true) await deleteUnwantedCertificates(client, tenantId, desired);
    const { version, changed } = await recordConfigVersion(client, tenantId, { by: 'operator' });
    return { version, changed, problems, written, kept };
  }).catch((error: unknown) => {
    if (error instanceof UnknownTenantError) return null;
    throw error;
  });
}

/**
 * The newest config version when the tenant's rows already hold exactly this service (or none) and route; null when a
 * sync is needed. Cheap (no lock): rows and versions change in the same transaction, so the newest committed
 * version holds the rows read.
 */
export async function versionHolding(pool: Pool, tenantId: string, service: ServiceConfig | null, route: RouteConfig): Promise<number | null> {
  // A redirect route has no service: a row left by the Route's former upstream needs a sync to remove it.
  const storedService = await findManagedConfig(pool, serviceEntities, tenantId, service?.name ?? route.name);
  const storedRoute = await findManagedConfig(pool, routeEntities, tenantId, route.name);
  if (storedRoute === null || (service === null) !== (storedService === null)) return null;
  if ((service !== null && !jsonEqual(storedService, service)) || !jsonEqual(storedRoute, route)) return null;
  return newestConfigVersionNumber(pool, tenantId);
}
