// Wires the operator: one informer (list+watch) per kind plus Secrets, one work queue and reconciler per kind,
// the per-tenant config sync, leader election, metrics and the health endpoints. main.ts calls startOperator
// with what it read from the environment; tests call it with a test server's kubeconfig and a test database.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Pool } from 'pg';
import { isConditionTrue } from './conditions.js';
import { ConfigSyncer } from './controllers/config-sync/tenant-config.js';
import { createConsumerReconciler } from './controllers/consumer/consumer-controller.js';
import type { ControllerContext, Informers } from './controllers/context.js';
import { createRouteReconciler } from './controllers/route/route-controller.js';
import { createTenantReconciler, gatewayKeySecretName } from './controllers/tenant/tenant-controller.js';
import { reuseConnections } from './kube/connections.js';
import { CrdPresence } from './kube/crd-presence.js';
import { LeaderElector } from './kube/leader.js';
import { WorkQueue, type Reconcile } from './kube/queue.js';
import {
  KubeAccess,
  type ConsumerResource,
  type CustomKind,
  type KubeObject,
  type RouteResource,
  type SecretResource,
  type TenantResource,
} from './kube/resources.js';
import { Informer, objectKey, type OpenWatch, type WatchEventType } from './kube/watch.js';
import { createEventFailureReporter } from './telemetry/event-failures.js';
import { startHealthServer, type HealthServer } from './telemetry/health-server.js';
import { describeError, type Logger } from './telemetry/logger.js';
import { createMetrics, type OperatorMetrics } from './telemetry/metrics.js';

export { createLogger, type Logger, type LogLevel } from './telemetry/logger.js';
export { FINALIZER } from './kube/resources.js';
export { KubeAccess } from './kube/resources.js';
export { gatewayKeySecretName } from './controllers/tenant/tenant-controller.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  pool: Pool;
  log: Logger;
  /** '' watches every namespace. */
  watchNamespace?: string;
  leaderElection?: {
    namespace: string;
    name?: string;
    identity?: string;
    leaseDurationSeconds?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  } | null;
  /** Port for /healthz, /readyz and /metrics; null for none. */
  metricsPort?: number | null;
  metricsHost?: string;
  /** Reconciles in flight per kind. */
  concurrency?: number;
  /** Every object is reconciled again this often, whatever the events. */
  resyncMs?: number;
  programmedPollMs?: number;
  watchTimeoutSeconds?: number;
  silenceTimeoutMs?: number;
  /** Called when a leader loses its lease; main exits so the pod restarts clean. Default: stop reconciling. */
  onLostLeadership?: () => void;
  defaultMetrics?: boolean;
  now?: () => Date;
}

export interface Operator {
  metrics: OperatorMetrics;
  informers: Informers;
  identity: string;
  healthPort: number | null;
  isLeader(): boolean;
  /** Stops everything; `releaseLease` false simulates a crash (the lease runs out instead of being handed back). */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
}

type Kind = 'tenant' | 'route' | 'consumer';

/** Whether an event is worth a reconcile of the object itself: not for its own status writes. */
function specOrLifecycleChanged(type: WatchEventType, object: KubeObject, previous: KubeObject | undefined): boolean {
  if (type !== 'MODIFIED' || previous === undefined) return true;
  const now = object.metadata;
  const before = previous.metadata;
  return (
    now.generation !== before.generation ||
    now.deletionTimestamp !== before.deletionTimestamp ||
    JSON.stringify(now.finalizers ?? []) !== JSON.stringify(before.finalizers ?? []) ||
    now.uid !== before.uid
  );
}

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { log, pool } = options;
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  reuseConnections(options.kubeConfig);
  const kube = new KubeAccess(options.kubeConfig, options.watchNamespace ?? '', undefined, createEventFailureReporter(metrics.eventsFailed, log, describeError));
  const identity = options.leaderElection?.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const queues = {} as Record<Kind, WorkQueue>;

  /** Routes and Consumers of the tenant (only those not Accepted, with onlyRefused) go back to their queues. */
  const enqueueDependents = (tenant: TenantResource, { onlyRefused = false } = {}) => {
    const { namespace, name } = tenant.metadata;
    const wanted = (object: RouteResource | ConsumerResource) =>
      object.metadata.namespace === namespace &&
      object.spec.tenantRef.name === name &&
      !(onlyRefused && isConditionTrue(object.status?.conditions, 'Accepted'));
    for (const route of informers.routes.list()) if (wanted(route)) queues.route.add(objectKey(route));
    for (const consumer of informers.consumers.list()) if (wanted(consumer)) queues.consumer.add(objectKey(consumer));
  };

  // A missing CRD is said once by crdPresence; the 404 of each retry is only a debug line.
  const crdPresence = new CrdPresence(['tenants', 'routes', 'consumers'], log);
  const informerOptions = (kind: string) => ({
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
    ...(options.silenceTimeoutMs === undefined ? {} : { silenceTimeoutMs: options.silenceTimeoutMs }),
    onError: (message: string, error: unknown) => (crdPresence.isMissing(kind) ? log.debug : log.warn)(message, { error: describeError(error) }),
    onRelist: (reason: string) => log.info('relisting', { reason }),
  });
  const trackedSource = <T,>(kind: CustomKind, source: { list: () => Promise<T>; watch: OpenWatch }) => ({ ...source, list: crdPresence.track(kind, source.list) });
  const informers: Informers = {
    tenants: new Informer<TenantResource>({
      kind: 'tenants',
      ...trackedSource('tenants', kube.customSource<TenantResource>('tenants')),
      ...informerOptions('tenants'),
      onChange: (type, tenant, previous) => {
        if (specOrLifecycleChanged(type, tenant, previous)) queues.tenant.add(objectKey(tenant));
        const wasReady = previous !== undefined && isConditionTrue(previous.status?.conditions, 'Ready');
        const isReady = type !== 'DELETED' && isConditionTrue(tenant.status?.conditions, 'Ready');
        if (wasReady !== isReady || type === 'DELETED' || tenant.metadata.deletionTimestamp !== previous?.metadata.deletionTimestamp) {
          enqueueDependents(tenant);
        }
      },
    }),
    routes: new Informer<RouteResource>({
      kind: 'routes',
      ...trackedSource('routes', kube.customSource<RouteResource>('routes')),
      ...informerOptions('routes'),
      onChange: (type, route, previous) => {
        if (specOrLifecycleChanged(type, route, previous)) queues.route.add(objectKey(route));
      },
    }),
    consumers: new Informer<ConsumerResource>({
      kind: 'consumers',
      ...trackedSource('consumers', kube.customSource<ConsumerResource>('consumers')),
      ...informerOptions('consumers'),
      onChange: (type, consumer, previous) => {
        if (specOrLifecycleChanged(type, consumer, previous)) queues.consumer.add(objectKey(consumer));
      },
    }),
    secrets: new Informer<SecretResource>({
      kind: 'secrets',
      ...kube.secretSource(),
      ...informerOptions('secrets'),
      onChange: (type, secret, previous) => {
        if (type === 'MODIFIED' && previous !== undefined && JSON.stringify(previous.data ?? {}) === JSON.stringify(secret.data ?? {})) return;
        const { namespace, name } = secret.metadata;
        for (const consumer of informers.consumers.list()) {
          if (consumer.metadata.namespace === namespace && consumer.spec.apiKeySecretRef?.name === name) queues.consumer.add(objectKey(consumer));
        }
        for (const tenant of informers.tenants.list()) {
          if (tenant.metadata.namespace === namespace && gatewayKeySecretName(tenant.metadata.name) === name) {
            queues.tenant.add(objectKey(tenant));
          }
        }
      },
    }),
  };

  const context: ControllerContext = {
    kube,
    pool,
    informers,
    configSync: new ConfigSyncer(pool, informers, (tenant, problems) => {
      enqueueDependents(tenant, { onlyRefused: true });
      // A Route that lost a conflict to an older one edited into its claim still says Accepted: tell it.
      for (const key of problems.keys()) {
        if (isConditionTrue(informers.routes.get(key)?.status?.conditions, 'Accepted')) queues.route.add(key);
        if (isConditionTrue(informers.consumers.get(key)?.status?.conditions, 'Accepted')) queues.consumer.add(key);
      }
    }),
    now: options.now ?? (() => new Date()),
    log,
    programmedPollMs: options.programmedPollMs ?? 2_000,
  };

  const makeQueue = (kind: Kind, reconcile: Reconcile) =>
    new WorkQueue(reconcile, {
      concurrency: options.concurrency ?? 4,
      baseDelayMs: 200,
      maxDelayMs: 60_000,
      onDepth: (depth) => metrics.workqueueDepth.set({ kind }, depth),
      onResult: (result, seconds, key, error) => {
        metrics.reconcileTotal.inc({ kind, result });
        metrics.reconcileDuration.observe({ kind }, seconds);
        if (result === 'error') log.warn('reconcile failed; retrying with backoff', { kind, key, error: describeError(error) });
      },
    });
  queues.tenant = makeQueue('tenant', createTenantReconciler(context));
  queues.route = makeQueue('route', createRouteReconciler(context));
  queues.consumer = makeQueue('consumer', createConsumerReconciler(context));
  for (const kind of ['tenant', 'route', 'consumer'] as const) metrics.workqueueDepth.set({ kind }, 0);

  let resyncTimer: NodeJS.Timeout | null = null;
  let active = false;
  const startControllers = () => {
    if (active) return;
    active = true;
    metrics.leader.set(1);
    log.info('reconciling', { identity, namespace: options.watchNamespace || '(all)' });
    for (const informer of Object.values(informers) as Informer<KubeObject>[]) informer.start();
    for (const queue of Object.values(queues)) queue.start();
    resyncTimer = setInterval(() => {
      for (const tenant of informers.tenants.list()) queues.tenant.add(objectKey(tenant));
      for (const route of informers.routes.list()) queues.route.add(objectKey(route));
      for (const consumer of informers.consumers.list()) queues.consumer.add(objectKey(consumer));
    }, options.resyncMs ?? 60_000);
    resyncTimer.unref();
  };
  const stopControllers = async () => {
    if (!active) return;
    active = false;
    metrics.leader.set(0);
    if (resyncTimer !== null) clearInterval(resyncTimer);
    for (const informer of Object.values(informers) as Informer<KubeObject>[]) informer.stop();
    await Promise.all(Object.values(queues).map((queue) => queue.stop()));
  };

  let health: HealthServer | null = null;
  if (options.metricsPort !== null && options.metricsPort !== undefined) {
    health = await startHealthServer({
      port: options.metricsPort,
      ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }),
      registry: metrics.registry,
      ready: async () => {
        try {
          await pool.query('SELECT 1');
        } catch {
          return { ok: false, reason: 'database unreachable' };
        }
        const missingCrds = crdPresence.missingCrds();
        if (active && missingCrds.length > 0) return { ok: false, reason: `CRDs not installed: ${missingCrds.join(', ')}` };
        if (active && !Object.values(informers).every((informer: Informer<KubeObject>) => informer.isSynced)) {
          return { ok: false, reason: 'caches not synced yet' };
        }
        return { ok: true };
      },
    });
  }

  let stopping = false;
  let elector: LeaderElector | null = null;
  if (options.leaderElection) {
    const election = options.leaderElection;
    elector = new LeaderElector(options.kubeConfig, {
      namespace: election.namespace,
      name: election.name ?? 'novagate-operator',
      identity,
      ...(election.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: election.leaseDurationSeconds }),
      ...(election.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: election.renewDeadlineMs }),
      ...(election.retryPeriodMs === undefined ? {} : { retryPeriodMs: election.retryPeriodMs }),
      onStartedLeading: () => {
        log.info('became the leader', { identity });
        startControllers();
      },
      onStoppedLeading: () => {
        if (stopping) return; // our own stop hands the lease back; nothing was lost
        log.warn('lost the leader lease', { identity });
        if (options.onLostLeadership) options.onLostLeadership();
        else void stopControllers();
      },
      onError: (error) => log.warn('leader election request failed', { error: describeError(error) }),
    });
    elector.start();
  } else {
    startControllers();
  }

  return {
    metrics,
    informers,
    identity,
    healthPort: health?.port ?? null,
    isLeader: () => active,
    async stop({ releaseLease = true } = {}) {
      stopping = true;
      // Drain first, then hand the lease back: the next leader never overlaps with our reconciles in flight.
      await stopControllers();
      if (elector !== null) await elector.stop(releaseLease);
      await health?.close();
    },
  };
}

