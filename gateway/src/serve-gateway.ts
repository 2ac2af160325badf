// Runs the gateway the environment describes: the config store, the policies' backends, telemetry and the servers, as
// one process or as a node:cluster of WORKERS. Config sources feed `ConfigStore.apply`: the standalone file (CONFIG_FILE)
// or the control plane's WebSocket (CONTROL_PLANE_URL), exactly one of them.
import { JwksSources } from './policies/jwt/key-source.js';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { createConfigStore, describeProblems } from './pipeline/config-store.js';
import { healthSnapshot } from './upstream/health-snapshot.js';
import { createHealthReporter, type HealthReporter } from './sync/health-reporter.js';
import { createMemoryBackend } from './policies/rate-limit/memory-backend.js';
import { createRedisBackend } from './policies/rate-limit/redis-backend.js';
import { createRespClient, type RespClient, type RespTlsOptions } from './redis/resp-client.js';
import type { RateLimitBackend } from './policies/rate-limit/backend.js';
import { createGatewayServer } from './server/gateway-server.js';
import { parseTrustedProxies } from './server/client-address.js';
import { readConfigFile } from './standalone/config-file.js';
import { startStandaloneSource } from './standalone/standalone-source.js';
import { createConfigCacheWriter } from './sync/config-cache-writer.js';
import { startControlPlaneSource } from './sync/control-plane-source.js';
import { gatewayNodeId } from './sync/node-id.js';
import { createGatewayMetrics } from './telemetry/metrics.js';
import { createLogger, type Logger, type LogLevel } from './telemetry/logger.js';
import { logCrashes } from './telemetry/crash-log.js';
import { gatewayReadiness } from './telemetry/readiness.js';
import { createMetricsServer } from './telemetry/metrics-server.js';
import { answerMetricsRequests, createClusterMetrics } from './telemetry/cluster-metrics.js';
import { createListenerManager, type ListenerManager } from './listeners/listener-manager.js';
import { watchCertificateDir, type CertificateDir } from './listeners/certificate-dir.js';
import { type Environment, fatal, SOFTWARE_VERSION } from './environment.js';

/** Listens on `port`, or stops the process with one line when it cannot (a port in use, no permission). */
async function listenOrExit(server: Server, port: number, what: string, host?: string): Promise<void> {
  const refused = (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.code === 'EACCES' ? 'permission denied' : (error.code ?? 'error');
    fatal(`cannot listen on ${what} ${port}: ${reason}`);
  };
  server.once('error', refused);
  server.listen(port, host);
  await once(server, 'listening');
  // Errors once listening (an accept failing) are not start-up errors: do not report them as such.
  server.off('error', refused);
}

/**
 * Whether the standalone file leaves this gateway the implicit listener on PORT (then PORT is opened at start, and
 * a busy one stops the process with one line): never with GATEWAY_NAME, else when no listener lacks a `gateway`
 * owner. An unreadable file opens it too; the source then reports the file's problem.
 */
function fileLeavesImplicitListener(file: string, maxConfigBytes: number, gatewayName: string | undefined): boolean {
  if (gatewayName !== undefined) return false;
  const read = readConfigFile(file, maxConfigBytes);
  if (!read.ok) return true;
  const listeners = (read.value as { listeners?: unknown }).listeners;
  if (!Array.isArray(listeners)) return true;
  return !listeners.some((listener: unknown) => typeof listener === 'object' && listener !== null && (listener as { gateway?: unknown }).gateway === undefined);
}

function connectRedis(redisUrl: string, tls: RespTlsOptions | undefined, logger: Logger): { client: RespClient; ready: Promise<void> } {
  let lastWarning = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const client = createRespClient(redisUrl, {
    commandTimeoutMs: 500,
    tls,
    onReady: () => markReady(),
    onError: (error) => {
      if (Date.now() - lastWarning < 5_000) return;
      lastWarning = Date.now();
      // A refused certificate says why (which name, which CA) in its message; Redis errors hold no secret.
      logger.warn('redis error', { error: (error as { code?: string }).code ?? error.name, detail: error.message });
    },
  });
  return { client, ready };
}

async function runWorker(env: Environment, clustered: boolean): Promise<void> {
  const metrics = createGatewayMetrics();
  const logger = createLogger({
    level: env.LOG_LEVEL as LogLevel,
    output: process.stdout,
    onDropped: (count) => metrics.logEntriesDropped(count),
  });
  logCrashes(logger);
  metrics.setControlPlaneConnected(false);
  const insecure = env.mode === 'control-plane' && new URL(env.CONTROL_PLANE_URL as string).protocol === 'ws:';
  if (insecure && (!clustered || cluster.worker?.id === 1)) {
    logger.warn('INSECURE: ALLOW_INSECURE_CONTROL_PLANE=true and CONTROL_PLANE_URL is ws://: the gateway API key and every config cross the network in clear text; for development only', {
      controlPlaneUrl: env.CONTROL_PLANE_URL,
    });
  }

  const connection = env.REDIS_URL === undefined ? undefined : connectRedis(env.REDIS_URL, env.redisTls, logger);
  const redis = connection?.client;
  let backend: RateLimitBackend;
  if (redis === undefined) {
    backend = createMemoryBackend();
    if (!clustered || cluster.worker?.id === 1) {
      logger.warn('REDIS_URL is not set: rate limits are counted in memory, per process', { workers: env.WORKERS });
    }
  } else {
    backend = createRedisBackend(redis);
    await Promise.race([connection?.ready, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }

  // The manager is made once the gateway server exists; a change before that has nothing to reload.
  let listenersReady = false;
  const certificateDir: CertificateDir | undefined =
    env.TLS_CERT_DIR === undefined
      ? undefined
      : watchCertificateDir({ dir: env.TLS_CERT_DIR, logger, onChange: () => (listenersReady ? listeners.certificatesChanged() : undefined) });

  const writeConfigCache =
    env.cacheKey === undefined
      ? undefined
      : createConfigCacheWriter({
          key: env.cacheKey,
          file: env.CONFIG_CACHE_FILE,
          redis: !clustered || cluster.worker?.id === 1 ? redis : undefined,
          logger,
        });
  // Upstream target health goes to the metric and, with a control plane, to it (the reporter is made below).
  let healthReporter: HealthReporter | undefined;
  const upstreamHealthChanged = () => {
    const current = store.current();
    metrics.setUpstreamTargetHealth(current === undefined ? [] : healthSnapshot(current.services.values()));
    healthReporter?.changed();
  };
  const store = createConfigStore(
    {
      tenant: env.tenant,
      jwtSecret: env.JWT_SECRET === undefined ? undefined : Buffer.from(env.JWT_SECRET, 'utf8'),
      jwtRules: {
        acceptedSecret: env.JWT_ACCEPTED_SECRET === undefined ? undefined : Buffer.from(env.JWT_ACCEPTED_SECRET, 'utf8'),
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
      },
      rateLimitBackend: backend,
      failureMode: env.RATE_LIMIT_FAILURE_MODE as 'open' | 'closed',
      now: Date.now,
      onRateLimitBackendError: () => metrics.rateLimitBackendError(),
      onRateLimited: (route) => metrics.rateLimited(route),
      onPolicyWarning: (message, fields) => logger.warn(message, fields),
      listenerScope: { gatewayName: env.GATEWAY_NAME, defaultPort: env.PORT },
      localCertificate: (name) => certificateDir?.has(name) === true,
      localCertificatePem: (name) => certificateDir?.get(name),
      onUpstreamHealthChange: () => upstreamHealthChanged(),
      // JWKS fetch failures are logged by class (DESIGN §10), never with the response body.
      jwt: { sources: new JwksSources({ now: Date.now, onFailure: (jwksUri, failure) => {
        logger.warn('JWKS fetch failed', { jwksUri, failure });
        metrics.jwksFetchFailure(failure);
      } }) },
    },
    {
      prepareListeners: (compiled) => listeners.prepare(compiled),
      onApplied: (compiled) => {
        metrics.setConfigVersion(compiled.version);
        void metrics.retainRoutes(new Set(compiled.config.routes.map((route) => route.name)));
        void metrics.retainServices(new Set(compiled.config.services.map((service) => service.name)));
        logger.info('config applied', { version: compiled.version, hash: compiled.hash, routes: compiled.config.routes.length });
        for (const service of compiled.config.services) {
          if (service.tls?.verify === false) logger.warn('upstream TLS certificates are not verified for this service (tls.verify: false)', { service: service.name, version: compiled.version });
        }
        upstreamHealthChanged();
        // The cluster primary's /readyz needs to know whether the workers serve any listener.
        if (clustered) process.send?.({ novagate: 'listeners', count: compiled.listeners.length });
        writeConfigCache?.({ tenant: env.tenant, version: compiled.version, hash: compiled.hash, config: compiled.config });
      },
      onRejected: (problems) => {
        metrics.configRejected();
        logger.error('config rejected, the last good config keeps serving', { problems: describeProblems(problems) });
      },
    },
  );

  // Request log lines go to stdout and, with a control plane, also (without the raw path) to it.
  let shipRequest: Logger['request'] | undefined;
  const requestLogger: Logger = {
    ...logger,
    request(entry) {
      logger.request(entry);
      shipRequest?.(entry);
    },
  };
  const gateway = createGatewayServer({
    store,
    metrics,
    logger: requestLogger,
    trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES),
    maxBodyBytes: env.MAX_BODY_BYTES,
    clientLimits: env.clientLimits,
  });
  const listeners: ListenerManager = createListenerManager({
    gateway,
    address: env.LISTEN_ADDRESS,
    limits: env.clientLimits,
    logger,
    certificateDir,
    onCertificates: (expiry) => metrics.setCertificateExpiry(expiry),
    onRapidReset: () => metrics.http2RapidReset(),
  });
  listenersReady = true;
  if (env.mode === 'control-plane' || fileLeavesImplicitListener(env.CONFIG_FILE, env.MAX_CONFIG_BYTES, env.GATEWAY_NAME)) {
    // Until the first config says which listeners to open, PORT answers (503 not_ready) as it always has; a
    // busy PORT stops the process with one line, as before listeners existed.
    const opened = await listeners.openImplicit(env.PORT);
    if (!opened.ok) fatal(`cannot listen on PORT ${env.PORT}: ${opened.reason}`);
  }

  if (env.mode === 'standalone' && env.cacheKey === undefined && (env.CONFIG_CACHE_FILE !== undefined || redis !== undefined)) {
    if (!clustered || cluster.worker?.id === 1) logger.warn('CONFIG_CACHE_KEY is unset: no config cache is kept (in Redis or CONFIG_CACHE_FILE)');
  }
  if (env.mode === 'control-plane' && env.CONFIG_CACHE_KEY !== undefined) {
    logger.warn('CONFIG_CACHE_KEY is ignored with CONTROL_PLANE_URL: the config cache key is derived from GATEWAY_API_KEY');
  }

  let stopSource: () => Promise<void>;
  if (env.mode === 'standalone') {
    const source = await startStandaloneSource({
      file: env.CONFIG_FILE,
      maxConfigBytes: env.MAX_CONFIG_BYTES,
      store,
      logger,
      onFileRejected: () => metrics.configRejected(),
    });
    if (!source.ok) {
      logger.flush();
      fatal(`invalid config in ${env.CONFIG_FILE}: ${describeProblems(source.problems)}`);
    }
    stopSource = async () => source.stop();
  } else {
    const source = startControlPlaneSource({
      url: env.CONTROL_PLANE_URL as string,
      apiKey: env.GATEWAY_API_KEY as string,
      tenantId: env.tenant,
      ca: env.controlPlaneCa,
      nodeId: gatewayNodeId({ configured: env.NODE_ID, hostname: hostname(), pid: process.pid, workerId: clustered ? cluster.worker?.id : undefined }),
      softwareVersion: SOFTWARE_VERSION,
      maxConfigBytes: env.MAX_CONFIG_BYTES,
      store,
      logger,
      redis,
      cacheFile: env.CONFIG_CACHE_FILE,
      cacheKey: env.cacheKey,
      onCacheRejected: (reason) => metrics.configCacheRejected(reason),
      onConnectedChange: (connected) => {
        metrics.setControlPlaneConnected(connected);
        if (connected) healthReporter?.connectedAgain();
      },
      onConfigHandled: () => healthReporter?.helloAdmitted(),
      onLogEntriesDropped: (count) => metrics.logEntriesDropped(count),
    });
    shipRequest = (entry) => source.shipper.record(entry);
    const reporter = createHealthReporter({
      snapshot: () => {
        const current = store.current();
        return current === undefined ? [] : healthSnapshot(current.services.values());
      },
      send: (message) => source.client.send(message),
      connected: () => source.client.connected(),
    });
    healthReporter = reporter;
    if (source.client.connected()) reporter.connectedAgain();
    stopSource = () => {
      reporter.close();
      return source.close();
    };
  }

  let draining = false;

  let metricsServer: Server | undefined;
  if (clustered) {
    answerMetricsRequests(metrics.registry);
    process.send?.({ novagate: 'ready' });
  } else {
    metricsServer = createMetricsServer({
      metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      ready: () => {
        const state = gatewayReadiness({ current: store.current(), draining });
        return { ready: state.ready, detail: { ...state.detail, redis: redis?.status() ?? 'not configured' } };
      },
    });
    await listenOrExit(metricsServer, env.METRICS_PORT, 'METRICS_PORT');
  }
  logger.info('gateway listening', {
    port: listeners.addressOf(env.PORT)?.port,
    metricsPort: metricsServer === undefined ? undefined : (metricsServer.address() as AddressInfo).port,
    worker: cluster.worker?.id,
  });

  const shutdown = async () => {
    if (draining) return;
    draining = true;
    await stopSource();
    logger.info('draining', { inFlight: gateway.inFlight() });
    listeners.close();
    certificateDir?.close();
    await gateway.drain(env.DRAIN_TIMEOUT_MS);
    await store.close();
    metricsServer?.close();
    redis?.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

/** The cluster primary: checks the config once, forks the workers, serves metrics aggregated from them. */
async function runPrimary(env: Environment): Promise<void> {
  let usesPort = true;
  if (env.mode === 'standalone') {
    const read = readConfigFile(env.CONFIG_FILE, env.MAX_CONFIG_BYTES);
    if (!read.ok) fatal(`invalid config in ${env.CONFIG_FILE}: ${describeProblems(read.problems)}`);
    usesPort = fileLeavesImplicitListener(env.CONFIG_FILE, env.MAX_CONFIG_BYTES, env.GATEWAY_NAME);
  }
  // Workers share the proxy port through the primary, so a busy port would fail every worker in turn:
  // find out here, once, with one line. (A config's own listeners are refused by name in the workers.)
  if (usesPort) {
    const probe = createServer();
    await listenOrExit(probe, env.PORT, 'PORT', env.LISTEN_ADDRESS);
    await new Promise((resolve) => probe.close(resolve));
  }
  const ready = new Set<number>();
  // Listeners each worker serves under its applied config (a GATEWAY_NAME gateway may have none yet).
  const listenersServed = new Map<number, number>();
  let stopping = false;
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      const sent = message as { novagate?: string; count?: unknown } | null;
      if (sent?.novagate === 'ready') ready.add(worker.id);
      if (sent?.novagate === 'listeners' && typeof sent.count === 'number') listenersServed.set(worker.id, sent.count);
    });
    return worker;
  };
  // A worker that dies after serving is replaced; workers that keep dying before they ever got ready (bad
  // config or environment) would loop, so after a few such failures in a row the primary gives up.
  let failedStarts = 0;
  cluster.on('exit', (worker, code) => {
    const wasReady = ready.delete(worker.id);
    listenersServed.delete(worker.id);
    if (stopping) return;
    failedStarts = wasReady ? 0 : failedStarts + 1;
    if (failedStarts > env.WORKERS * 2) fatal(`gateway workers keep failing at start-up (last exit code ${String(code)})`);
    fork();
  });
  for (let i = 0; i < env.WORKERS; i++) fork();
  const workers = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  const clusterMetrics = createClusterMetrics();
  const readyWorkers = () => workers().filter((worker) => ready.has(worker.id));
  const metricsServer = createMetricsServer({
    metrics: async () => ({ contentType: clusterMetrics.contentType, body: await clusterMetrics.collect(readyWorkers()) }),
    ready: () => {
      // Ready: some started worker has applied a config that leaves it a listener to serve.
      const serving = [...ready].filter((id) => (listenersServed.get(id) ?? 0) > 0).length;
      return { ready: serving > 0 && !stopping, detail: { workersReady: ready.size, workersServing: serving, workers: env.WORKERS } };
    },
  });
  await listenOrExit(metricsServer, env.METRICS_PORT, 'METRICS_PORT');
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'cluster primary listening', metricsPort: (metricsServer.address() as AddressInfo).port, workers: env.WORKERS })}\n`,
  );

  process.on('SIGHUP', () => workers().forEach((worker) => worker.process.kill('SIGHUP')));
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const exits = workers().map((worker) => once(worker, 'exit'));
    workers().forEach((worker) => worker.process.kill('SIGTERM'));
    await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, env.DRAIN_TIMEOUT_MS + 2_000))]);
    metricsServer.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

/** Serves until a signal stops the process: the primary of WORKERS > 1 workers, or one worker (alone or in a cluster). */
export async function serveGateway(env: Environment): Promise<void> {
  if (cluster.isPrimary && env.WORKERS > 1) await runPrimary(env);
  else await runWorker(env, cluster.isWorker);
}
