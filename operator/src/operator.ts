// Wires the operator: one informer (list+watch) per kind plus Secrets, one work queue per declared controller
// fed by the watches it declares, the per-tenant config sync, leader election, metrics and the health endpoints.
// main.ts calls startOperator with what it read from the environment; tests call it with a test server's
// kubeconfig and a test database.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Pool } from 'pg';
import { createSecretBox, ping } from '@novagate/control-plane/tenancy';
import { ConfigSyncer } from './controllers/config-sync/tenant-config.js';
import { consumerController } from './controllers/consumer/consumer-controller.js';
import { gatewayController } from './controllers/gateway/gateway-controller.js';
import { gatewayClassController } from './controllers/gatewayclass/gatewayclass-controller.js';
import { httpRouteController } from './controllers/httproute/http-route-controller.js';
import { policyController } from './controllers/policy/policy-controller.js';
import type { ControllerContext, Informers } from './controllers/context.js';
import { keysFor, type ControllerDeclaration, type Source, type SourceEvents, type WatchOf } from './controllers/controller.js';
import { routeController } from './controllers/route/route-controller.js';
import { tenantController } from './controllers/tenant/tenant-controller.js';
import { reuseConnections } from './kube/connections.js';
import { CrdPresence } from './kube/crd-presence.js';
import { OptionalCrd } from './kube/optional-crd.js';
import { LeaderElector } from './kube/leader.js';
import { WorkQueue } from './kube/queue.js';
import {
  KubeAccess,
  type ConsumerResource,
  type CustomKind,
  type GatewayApiKind,
  type GatewayResource,
  type HttpRouteResource,
  type KubeObject,
  type NovaGatePolicyResource,
  type ReferenceGrantResource,
  type RouteResource,
  type TenantResource,
} from './kube/resources.js';
import { noProvisioner, type GatewayProvisioner } from './provisioner/provisioner.js';
import { Informer, objectKey, type ListResult, type OpenWatch } from './kube/watch.js';
import { createEventFailureReporter } from './telemetry/event-failures.js';
import { startHealthServer, type HealthServer } from './telemetry/health-server.js';
import { describeError, type Logger } from './telemetry/logger.js';
import { createMetrics, type OperatorMetrics } from './telemetry/metrics.js';

export { createLogger, type Logger, type LogLevel } from './telemetry/logger.js';
export { FINALIZER } from './kube/resources.js';
export { KubeAccess } from './kube/resources.js';
export { gatewayKeySecretName } from './controllers/tenant/tenant-watches.js';
export { gatewayListenerName, gatewayOwner, httpRouteNameStem, serviceEntityName } from './gateway-api/names.js';
export { GATEWAY_FINALIZER } from './controllers/gateway/gateway-controller.js';
export { noProvisioner, type GatewayAddress, type GatewayProvisioner, type ProvisionedGateway } from './provisioner/provisioner.js';

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
  /** Starts each Gateway's data plane; default: none (Gateways get no addresses). */
  provisioner?: GatewayProvisioner;
  /** The provisioner's gateway processes bind ports below 1024 (GATEWAY_BIND_PRIVILEGED_PORTS); default false. */
  bindPrivilegedPorts?: boolean;
  /** SECRETS_ENCRYPTION_KEY (the control plane's): seals the keys of HTTPS listeners' certificates; unset, HTTPS listeners wait. */
  secretsEncryptionKey?: string;
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

/** The controllers, in the order their queues are made and an event's watches run. */
const NOVAGATE_CONTROLLERS: readonly ControllerDeclaration[] = [tenantController, routeController, consumerController];

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { log, pool } = options;
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  reuseConnections(options.kubeConfig);
  const kube = new KubeAccess(options.kubeConfig, options.watchNamespace ?? '', undefined, createEventFailureReporter(metrics.eventsFailed, log, describeError));
  const identity = options.leaderElection?.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;

  // Each event goes to the watches declared on its source. The table holds watches of every source, so it holds
  // them with the event type erased: registration below is the one place that pairs a watch with its events.
  const handlers = new Map<Source, ((event: unknown) => void)[]>();
  const emit = (source: Source, event: unknown) => {
    for (const handle of handlers.get(source) ?? []) handle(event);
  };

  // A missing CRD is said once by crdPresence; the 404 of each retry is only a debug line.
  const crdPresence = new CrdPresence(['tenants', 'routes', 'consumers'], log);
  // The Gateway API is optional: without its CRDs the operator reconciles its own kinds as before and is ready.
  const gatewayApi = new OptionalCrd(
    'gatewayclasses.gateway.networking.k8s.io',
    'GatewayClasses are not reconciled until the Gateway API CRDs are installed (kubectl apply --server-side -f the upstream standard-install.yaml)',
    log,
  );
  // GatewayClass is cluster-scoped: an operator confined to one namespace has no right to it, so its controller idles.
  const gatewayApiEnabled = (options.watchNamespace ?? '') === '';
  if (!gatewayApiEnabled) log.info('Gateway API support needs the operator to watch every namespace (GatewayClass is cluster-scoped); GatewayClasses are not reconciled');
  const secretBox = options.secretsEncryptionKey === undefined ? undefined : createSecretBox(options.secretsEncryptionKey);
  const gatewayListeners = {
    bindPrivilegedPorts: options.bindPrivilegedPorts ?? false,
    pushCertificates: secretBox !== undefined,
    // A tenant synced before the Gateways (and what their listeners read) are loaded keeps its stored listeners.
    gatewaysKnown: () =>
      !gatewayApiEnabled ||
      (['gatewayclasses', 'gateways', 'referencegrants', 'secrets'] as const).every((kind) => informers[kind].isSynced || optionalMissing(kind)),
  };
  const CONTROLLERS = gatewayApiEnabled ? [...NOVAGATE_CONTROLLERS, gatewayClassController, gatewayController(gatewayListeners), httpRouteController, policyController] : NOVAGATE_CONTROLLERS;
  // The namespaced Gateway API kinds are optional one by one (ReferenceGrant may be missing where the others are not).
  // EndpointSlices (discovery.k8s.io/v1) are served by every supported Kubernetes; an API server without them only
  // leaves HTTPRoute backends without targets.
  const optionalKinds: Record<GatewayApiKind | 'endpointslices' | 'novagatepolicies', OptionalCrd> = {
    gateways: new OptionalCrd('gateways.gateway.networking.k8s.io', 'Gateways are not read until the Gateway API CRDs are installed', log),
    httproutes: new OptionalCrd('httproutes.gateway.networking.k8s.io', 'HTTPRoutes are not reconciled until the Gateway API CRDs are installed', log),
    referencegrants: new OptionalCrd('referencegrants.gateway.networking.k8s.io', 'cross-namespace backendRefs are refused (RefNotPermitted) until the Gateway API CRDs are installed', log),
    endpointslices: new OptionalCrd('endpointslices.discovery.k8s.io', 'HTTPRoute backends have no targets until the API server serves discovery.k8s.io/v1 EndpointSlices', log),
    // Our own, but newer than the chart that may have installed the others: an older install still runs.
    novagatepolicies: new OptionalCrd('novagatepolicies.novagate.dev', 'NovaGatePolicies are not applied until crds/novagatepolicy.yaml is installed (helm install does; before a helm upgrade apply charts/novagate/crds/ yourself)', log),
  };
  const optionalMissing = (kind: string) =>
    (kind === 'gatewayclasses' && gatewayApi.isMissing()) || (Object.hasOwn(optionalKinds, kind) && optionalKinds[kind as keyof typeof optionalKinds].isMissing());
  const missingIsQuiet = (kind: string) => crdPresence.isMissing(kind) || optionalMissing(kind);
  const informerOf = <T extends KubeObject>(kind: keyof Informers, source: { list: () => Promise<ListResult<T>>; watch: OpenWatch }): Informer<T> =>
    new Informer<T>({
      kind,
      ...source,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      ...(options.silenceTimeoutMs === undefined ? {} : { silenceTimeoutMs: options.silenceTimeoutMs }),
      onError: (message: string, error: unknown) => (missingIsQuiet(kind) ? log.debug : log.warn)(message, { error: describeError(error) }),
      onRelist: (reason: string) => log.info('relisting', { reason }),
      onChange: (type, object, previous) => emit(kind, { type, object, previous }),
    });
  function optionalGatewayApiSource<T extends KubeObject>(kind: GatewayApiKind) {
    const source = kube.gatewayApiSource<T>(kind);
    return { ...source, list: optionalKinds[kind].track(source.list) };
  }
  const trackedSource = <T extends KubeObject>(kind: CustomKind) => {
    const source = kube.customSource<T>(kind);
    return { ...source, list: crdPresence.track(kind, source.list) };
  };
  const informers: Informers = {
    tenants: informerOf('tenants', trackedSource<TenantResource>('tenants')),
    routes: informerOf('routes', trackedSource<RouteResource>('routes')),
    consumers: informerOf('consumers', trackedSource<ConsumerResource>('consumers')),
    secrets: informerOf('secrets', kube.secretSource()),
    gatewayclasses: informerOf('gatewayclasses', (() => {
      const source = kube.gatewayClassSource();
      return { ...source, list: gatewayApi.track(source.list) };
    })()),
    gateways: informerOf('gateways', optionalGatewayApiSource<GatewayResource>('gateways')),
    httproutes: informerOf('httproutes', optionalGatewayApiSource<HttpRouteResource>('httproutes')),
    referencegrants: informerOf('referencegrants', optionalGatewayApiSource<ReferenceGrantResource>('referencegrants')),
    services: informerOf('services', kube.serviceSource()),
    endpointslices: informerOf('endpointslices', (() => {
      const source = kube.endpointSliceSource();
      return { ...source, list: optionalKinds.endpointslices.track(source.list) };
    })()),
    namespaces: informerOf('namespaces', kube.namespaceSource()),
    novagatepolicies: informerOf('novagatepolicies', (() => {
      const source = kube.customSource<NovaGatePolicyResource>('novagatepolicies');
      return { ...source, list: optionalKinds.novagatepolicies.track(source.list) };
    })()),
  };
  /** The informers the Gateway API support needs; idle (never started) when it idles. */
  const GATEWAY_API_INFORMERS: ReadonlySet<keyof Informers> = new Set(['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', 'services', 'endpointslices', 'namespaces', 'novagatepolicies']);
  const running = (Object.entries(informers) as [keyof Informers, Informer<KubeObject>][])
    .filter(([kind]) => gatewayApiEnabled || !GATEWAY_API_INFORMERS.has(kind))
    .map(([kind, informer]) => ({ kind, informer }));

  const context: ControllerContext = {
    kube,
    pool,
    informers,
    configSync: new ConfigSyncer(
      pool,
      informers,
      (tenant, problems) => emit('tenant-config', { tenant, problems }),
      undefined,
      // A kind whose CRD is missing lists nothing and never will until installed: not worth waiting for.
      () => running.every(({ kind, informer }) => informer.isSynced || optionalMissing(kind) || crdPresence.isMissing(kind)),
      gatewayListeners,
      secretBox,
    ),
    now: options.now ?? (() => new Date()),
    log,
    watchNamespace: options.watchNamespace ?? '',
    programmedPollMs: options.programmedPollMs ?? 2_000,
    provisioner: options.provisioner ?? noProvisioner,
  };

  const queues = CONTROLLERS.map((controller) => {
    const { kind } = controller;
    const queue = new WorkQueue(controller.reconciler(context), {
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
    for (const watch of controller.watches) {
      const handle = (event: unknown) => {
        for (const key of keysFor(watch as WatchOf<Source>, event as SourceEvents[Source], informers)) {
          if (watch.delayMs === undefined) queue.add(key);
          else queue.addAfter(key, watch.delayMs);
        }
      };
      handlers.set(watch.source, [...(handlers.get(watch.source) ?? []), handle]);
    }
    return { resource: controller.resource, queue };
  });
  for (const { kind } of CONTROLLERS) metrics.workqueueDepth.set({ kind }, 0);

  let resyncTimer: NodeJS.Timeout | null = null;
  let active = false;
  const startControllers = () => {
    if (active) return;
    active = true;
    metrics.leader.set(1);
    log.info('reconciling', { identity, namespace: options.watchNamespace || '(all)' });
    for (const { informer } of running) informer.start();
    for (const { queue } of queues) queue.start();
    resyncTimer = setInterval(() => {
      for (const { resource, queue } of queues) for (const object of informers[resource].list()) queue.add(objectKey(object));
    }, options.resyncMs ?? 60_000);
    resyncTimer.unref();
  };
  const stopControllers = async () => {
    if (!active) return;
    active = false;
    metrics.leader.set(0);
    if (resyncTimer !== null) clearInterval(resyncTimer);
    for (const { informer } of running) informer.stop();
    await Promise.all(queues.map(({ queue }) => queue.stop()));
  };

  let health: HealthServer | null = null;
  if (options.metricsPort !== null && options.metricsPort !== undefined) {
    health = await startHealthServer({
      port: options.metricsPort,
      ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }),
      registry: metrics.registry,
      ready: async () => {
        try {
          await ping(pool);
        } catch {
          return { ok: false, reason: 'database unreachable' };
        }
        const missingCrds = crdPresence.missingCrds();
        if (active && missingCrds.length > 0) return { ok: false, reason: `CRDs not installed: ${missingCrds.join(', ')}` };
        // An optional kind whose CRD is missing never syncs; readiness does not wait for it.
        if (active && !running.every(({ kind, informer }) => informer.isSynced || optionalMissing(kind))) {
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

