// The desired config of one tenant, computed from the caches of every Route and Consumer that names it (and the
// listeners of its Gateways, gateway/gateway-tenant.ts), and
// the sync that writes it (coalesced per tenant). Every Route/Consumer reconcile and every Tenant reconcile
// calls sync: whichever runs, the tenant's rows end up equal to what all its resources ask for.
import type { Pool } from 'pg';
import { readManagedEntities, tenantIdByKubernetesUid, type SecretBox } from '@novagate/control-plane/tenancy';
import type { RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import { describeOverlap, findRouteConflicts } from '@novagate/gateway/routing/conflicts';
import type { ConsumerResource, HttpRouteResource, RouteResource, SecretResource, TenantResource } from '../../kube/resources.js';
import { BasicAuthHasher, type BasicAuthCredential } from '../consumer/basic-auth-hasher.js';
import { basicAuthPasswords } from '../consumer/basic-auth-passwords.js';
import { desiredConsumer } from '../consumer/desired-consumer.js';
import type { Caches } from '../controller.js';
import type { Problem } from '../evaluation.js';
import { dropUnprogrammedListeners } from './unprogrammed-listeners.js';
import { evaluateHttpRoute, httpRouteOwner, slicesByService, type GatewayApiCaches } from '../httproute/http-route-evaluation.js';
import { tenantsOfRoute } from '../httproute/http-route-watches.js';
import { addGatewayListeners, type GatewayListenerOptions } from '../gateway/gateway-tenant.js';
import { policyAttachmentOf } from '../policy/policy-index.js';
import { desiredRoute } from '../route/desired-route.js';
import { applyTenantConfig } from './config-sync.js';
import { Coalescer } from './coalescer.js';
import { emptyDesired, type DesiredConfig } from './plan.js';

export interface TenantSyncResult {
  tenantId: string;
  version: number;
  changed: boolean;
  /** Resources (`namespace/name`) left out of the config, and why. */
  problems: Map<string, Problem>;
  /** Resources whose rows this sync wrote: their config is new in `version`. */
  written: Set<string>;
  /** Services kept although no Route wants them: admin-API routes still name them (config-sync.ts). */
  kept: string[];
  /** The Gateways were not loaded yet: the stored listeners were left as they were. */
  listenersKept: boolean;
}

const keyOfObject = (object: RouteResource | ConsumerResource) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

function belongsTo(tenant: TenantResource, object: RouteResource | ConsumerResource): boolean {
  return (
    object.metadata.namespace === tenant.metadata.namespace &&
    object.spec.tenantRef.name === tenant.metadata.name &&
    object.metadata.deletionTimestamp === undefined
  );
}

const byAge = (a: RouteResource | ConsumerResource | HttpRouteResource, b: RouteResource | ConsumerResource | HttpRouteResource) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

/**
 * Pure over the caches: what the tenant's operator-managed config should hold, and who is left out of it.
 * `basicAuthOf` gives a Consumer's (`namespace/name`) hashed basic-auth credentials, made beforehand.
 */
export function desiredTenantConfig(
  tenant: TenantResource,
  routes: readonly RouteResource[],
  consumers: readonly ConsumerResource[],
  secretOf: (namespace: string, name: string) => SecretResource | undefined,
  basicAuthOf: (consumerKey: string) => readonly BasicAuthCredential[] = () => [],
  gatewayApi?: GatewayApiCaches,
): { desired: DesiredConfig; problems: Map<string, Problem> } {
  const desired = emptyDesired();
  const problems = new Map<string, Problem>();
  const valid: { resource: RouteResource; service: ServiceConfig | null; route: RouteConfig }[] = [];
  for (const route of routes.filter((candidate) => belongsTo(tenant, candidate)).sort(byAge)) {
    const evaluation = desiredRoute(route);
    if (!evaluation.accepted) continue; // the Route's own reconcile reports why
    valid.push({ resource: route, ...evaluation.value });
  }
  // Oldest first, as Gateway API decides: the younger of two Routes claiming the same requests is left out.
  const conflicts = findRouteConflicts(valid.map((entry) => ({ ...entry.route, entry })));
  const losers = new Set(conflicts.map((conflict) => conflict.route.entry));
  for (const { route: loser, winner, overlap } of conflicts) {
    problems.set(keyOfObject(loser.entry.resource), {
      reason: 'Conflicted',
      message: `Route "${winner.entry.resource.metadata.name}" is older and claims the same requests (${describeOverlap(overlap)}); change spec.match or delete one of them`,
    });
  }
  for (const entry of valid.filter((candidate) => !losers.has(candidate))) {
    const owner = keyOfObject(entry.resource);
    if (entry.service !== null) desired.services.set(entry.service.name, { config: entry.service, owner });
    desired.routes.set(entry.route.name, { config: entry.route, owner });
  }
  if (gatewayApi !== undefined) addHttpRoutes(desired, problems, `${tenant.metadata.namespace ?? ''}/${tenant.metadata.name}`, gatewayApi);
  for (const consumer of consumers.filter((candidate) => belongsTo(tenant, candidate)).sort(byAge)) {
    const ref = consumer.spec.apiKeySecretRef;
    const secret = ref === undefined ? undefined : secretOf(consumer.metadata.namespace ?? '', ref.name);
    const owner = keyOfObject(consumer);
    const evaluation = desiredConsumer(consumer, secret, basicAuthOf(owner));
    if (!evaluation.accepted) continue; // the Consumer's own reconcile reports why (the hashes change nothing of it)
    const holder = desired.consumers.get(evaluation.value.username);
    if (holder !== undefined) {
      problems.set(owner, {
        reason: 'Conflict',
        message: `username "${evaluation.value.username}" is already used by Consumer "${holder.owner.split('/')[1]}" of the same tenant`,
      });
      continue;
    }
    desired.consumers.set(evaluation.value.username, { config: evaluation.value, owner });
  }
  return { desired, problems };
}

/**
 * The routes and services of the HTTPRoutes attached to the tenant's Gateways, oldest first (Gateway API order). A
 * refused HTTPRoute (UnsupportedValue) is left out alone; its status says why. A Service port several routes use is
 * one service, with its own owner.
 */
function addHttpRoutes(desired: DesiredConfig, problems: Map<string, Problem>, tenantKey: string, caches: GatewayApiCaches): void {
  const routes = caches.httproutes.list().filter((route) => route.metadata.deletionTimestamp === undefined).sort(byAge);
  const slicesOf = slicesByService(caches);
  const policies = policyAttachmentOf(caches);
  for (const route of routes) {
    if (!tenantsOfRoute(route, caches).includes(tenantKey)) continue; // cheap: no translation of other tenants' routes
    const owner = httpRouteOwner(route.metadata.namespace ?? '', route.metadata.name);
    const evaluation = evaluateHttpRoute(route, caches, slicesOf, policies);
    const mine = evaluation.byTenant.get(tenantKey);
    if (mine === undefined) {
      const refused = evaluation.parents.find((parent) => parent.tenantKey === tenantKey && parent.accepted.reason === 'UnsupportedValue');
      if (refused !== undefined) problems.set(owner, { reason: 'UnsupportedValue', message: refused.accepted.message });
      continue;
    }
    // A Service port several HTTPRoutes use is owned by none of them: one route refused never leaves it unwritten.
    for (const service of mine.services) if (!desired.services.has(service.name)) desired.services.set(service.name, { config: service, owner: sharedServiceOwner(service.name) });
    for (const config of mine.routes) desired.routes.set(config.name, { config, owner });
  }
}

/** The config sync's owner of a `gwapi.svc.*` service (one Service port): never equal to a route's owner. */
export const sharedServiceOwner = (serviceName: string): string => `Service:${serviceName}`;

/** How long a sync waits for the caches' first lists before failing its reconcile (retried with backoff). */
const CACHE_SYNC_WAIT_MS = 30_000;

export class ConfigSyncer {
  private readonly coalescer = new Coalescer<TenantSyncResult | null>();

  constructor(
    private readonly pool: Pool,
    private readonly informers: Caches,
    /**
     * Called after a sync that changed the tenant's rows: refused objects may fit now (a plan slot freed), and
     * objects now left out (`problems`, by `namespace/name`) may still say Accepted.
     */
    private readonly onChanged: (tenant: TenantResource, problems: ReadonlyMap<string, Problem>) => void = () => undefined,
    private readonly hasher = new BasicAuthHasher(),
    /**
     * Whether every cache the desired config reads has its first list: a sync on a cache still empty (the operator
     * just started) would delete the rows of every object not listed yet, and push that config to the gateways.
     */
    private readonly cachesSynced: () => boolean = () => true,
    /** How Gateway listeners become config listeners (bindPort for privileged ports; HTTPS with certificates). */
    private readonly gatewayListeners: GatewayListenerOptions = { bindPrivilegedPorts: false, pushCertificates: false },
    /** Seals pushed certificates' keys (SECRETS_ENCRYPTION_KEY); without it no certificate is written. */
    private readonly secretBox?: SecretBox,
  ) {}

  /** Syncs the tenant `namespace/name`; null when it is not there, being deleted, or not provisioned yet. */
  sync(tenantKey: string): Promise<TenantSyncResult | null> {
    return this.coalescer.run(tenantKey, () => this.syncNow(tenantKey));
  }

  private async syncNow(tenantKey: string): Promise<TenantSyncResult | null> {
    await this.untilCachesSynced();
    const tenant = this.informers.tenants.get(tenantKey);
    if (tenant === undefined || tenant.metadata.deletionTimestamp !== undefined) return null;
    const tenantId = await tenantIdByKubernetesUid(this.pool, tenant.metadata.uid);
    if (tenantId === null) return null;
    const secretOf = (namespace: string, name: string) => this.informers.secrets.get(`${namespace}/${name}`);
    const consumers = this.informers.consumers.list();
    const basicAuth = await this.basicAuthCredentials(tenant, tenantId, consumers, secretOf);
    const { desired, problems } = desiredTenantConfig(tenant, this.informers.routes.list(), consumers, secretOf, (key) => basicAuth.get(key) ?? [], this.informers);
    addGatewayListeners(desired, tenantKey, this.informers, this.gatewayListeners);
    dropUnprogrammedListeners(desired, problems);
    const applied = await applyTenantConfig(this.pool, tenantId, desired, this.secretBox);
    if (applied === null) return null;
    for (const [owner, problem] of applied.problems) problems.set(owner, problem);
    if (applied.changed) this.onChanged(tenant, problems);
    return { tenantId, version: applied.version, changed: applied.changed, problems, written: applied.written, kept: applied.kept, listenersKept: desired.keepListeners === true };
  }

  private async untilCachesSynced(): Promise<void> {
    const deadline = Date.now() + CACHE_SYNC_WAIT_MS;
    while (!this.cachesSynced()) {
      // The reconcile fails and is retried with backoff: never a sync over a partial cache.
      if (Date.now() > deadline) throw new Error(`caches not synced after ${CACHE_SYNC_WAIT_MS} ms; not syncing a tenant's config over a partial view`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * The hashed basic-auth credentials of the tenant's Consumers, by `namespace/name`: each stored hash that still
   * matches its password is kept (read from the tenant's rows, so a restart keeps them too).
   */
  private async basicAuthCredentials(
    tenant: TenantResource,
    tenantId: string,
    consumers: readonly ConsumerResource[],
    secretOf: (namespace: string, name: string) => SecretResource | undefined,
  ): Promise<Map<string, BasicAuthCredential[]>> {
    const result = new Map<string, BasicAuthCredential[]>();
    const withBasicAuth = consumers.filter((consumer) => belongsTo(tenant, consumer) && (consumer.spec.basicAuth?.length ?? 0) > 0);
    if (withBasicAuth.length === 0) return result;
    const stored = (await readManagedEntities(this.pool, tenantId)).consumers;
    for (const consumer of withBasicAuth) {
      const { passwords } = basicAuthPasswords(consumer, (name) => secretOf(consumer.metadata.namespace ?? '', name));
      result.set(keyOfObject(consumer), await this.hasher.credentials(passwords, stored.get(consumer.spec.username)?.config.basicAuth));
    }
    return result;
  }
}
