// The gateway process: reads and validates the environment (the only module that does), wires the config
// store, the policies' backends, telemetry and the servers, and runs them as one process or as a
// node:cluster of WORKERS. Config sources feed `ConfigStore.apply`: the standalone file (CONFIG_FILE) or the
// control plane's WebSocket (CONTROL_PLANE_URL), exactly one of them.
import { JwksSources } from './policies/jwt/key-source.js';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { isIP, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { bool, cleanEnv, makeValidator, num, str, EnvError, EnvMissingError } from 'envalid';
import { createConfigStore, describeProblems } from './pipeline/config-store.js';
import { healthSnapshot } from './upstream/health-snapshot.js';
import { createHealthReporter, type HealthReporter } from './sync/health-reporter.js';
import { GATEWAY_API_KEY_PATTERN, tenantIdOfApiKey } from './protocol/index.js';
import { createMemoryBackend } from './policies/rate-limit/memory-backend.js';
import { createRedisBackend } from './policies/rate-limit/redis-backend.js';
import { createRespClient, type RespClient, type RespTlsOptions } from './redis/resp-client.js';
import type { RateLimitBackend } from './policies/rate-limit/backend.js';
import { createGatewayServer } from './server/gateway-server.js';
import { parseTrustedProxies } from './server/client-address.js';
import { clientLimitsFromEnv, DEFAULT_CLIENT_LIMITS } from './server/client-limits.js';
import { secretWeakness } from './settings/secret-strength.js';
import { readConfigFile } from './standalone/config-file.js';
import { startStandaloneSource } from './standalone/standalone-source.js';
import { createConfigCacheWriter } from './sync/config-cache-writer.js';
import { deriveConfigCacheKey } from './sync/config-cache-seal.js';
import { startControlPlaneSource } from './sync/control-plane-source.js';
import { gatewayNodeId, nodeIdProblem } from './sync/node-id.js';
import { createGatewayMetrics } from './telemetry/metrics.js';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './telemetry/logger.js';
import { logCrashes } from './telemetry/crash-log.js';
import { gatewayReadiness } from './telemetry/readiness.js';
import { createMetricsServer } from './telemetry/metrics-server.js';
import { answerMetricsRequests, createClusterMetrics } from './telemetry/cluster-metrics.js';
import { createListenerManager, type ListenerManager } from './listeners/listener-manager.js';
import { watchCertificateDir, type CertificateDir } from './listeners/certificate-dir.js';

const STANDALONE_TENANT = 'default';
const SOFTWARE_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const secret = makeValidator<string>((value) => {
  const weakness = secretWeakness(value);
  if (weakness !== undefined) throw new Error(weakness);
  return value;
});
/** A count or a size: an integer from 1 up (envalid's num() takes -1, 0 and 1.5). */
const positiveInteger = makeValidator<number>((value) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new Error('must be a positive integer');
  return Number(value);
});
const workerCount = makeValidator<number>((value) => {
  if (value === 'auto') return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256) throw new Error("must be a number from 1 to 256 or 'auto'");
  return Number(value);
});
/** A TCP port; 0 asks for any free one (the 'gateway listening' log line says which). */
const listenPort = makeValidator<number>((value) => {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error('must be a port number from 0 to 65535');
  return Number(value);
});
const redisUrl = makeValidator<string>((value) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL such as redis://127.0.0.1:6379');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('must be a redis:// or rediss:// (TLS) URL');
  return value;
});
const controlPlaneUrl = makeValidator<string>((value) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('must be a URL such as wss://cp.example.com');
  }
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') throw new Error('must be a wss:// URL');
  return value;
});
const gatewayApiKey = makeValidator<string>((value) => {
  if (!GATEWAY_API_KEY_PATTERN.test(value)) throw new Error('must be a gateway API key gw_<tenantId>_<32 hex>');
  return value;
});
const nodeIdSetting = makeValidator<string>((value) => {
  const problem = nodeIdProblem(value);
  if (problem !== null) throw new Error(problem);
  return value;
});
/** LISTEN_ADDRESS: one IP address (0.0.0.0, ::, 127.0.0.1…); unset listens on every address. */
const listenAddress = makeValidator<string>((value) => {
  if (isIP(value) === 0) throw new Error('must be an IP address such as 0.0.0.0, :: or 127.0.0.1');
  return value;
});
/** GATEWAY_NAME: the Gateway API Gateway whose listeners this gateway serves, `<namespace>/<name>`. */
const gatewayName = makeValidator<string>((value) => {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(value)) throw new Error("must be '<namespace>/<name>' of a Gateway");
  return value;
});
const certificateDirectory = makeValidator<string>((value) => {
  try {
    readdirSync(value);
  } catch (error) {
    throw new Error(`cannot be read (${(error as { code?: string }).code ?? 'error'})`);
  }
  return value;
});
const proxyList = makeValidator<string>((value) => {
  parseTrustedProxies(value);
  return value;
});

function loadEnvironment(environment: NodeJS.ProcessEnv) {
  const env = cleanEnv(
    environment,
    {
      CONTROL_PLANE_URL: controlPlaneUrl({ default: undefined }),
      CONFIG_FILE: str({ default: undefined }),
      GATEWAY_API_KEY: gatewayApiKey({ default: undefined }),
      CONFIG_CACHE_FILE: str({ default: undefined }),
      CONFIG_CACHE_KEY: secret({ default: undefined }),
      TRUSTED_PROXIES: proxyList({ default: '' }),
      CONTROL_PLANE_CA_FILE: str({ default: undefined }),
      JWT_SECRET: secret({ default: undefined }),
      JWT_ACCEPTED_SECRET: secret({ default: undefined }),
      JWT_ISSUER: str({ default: undefined }),
      JWT_AUDIENCE: str({ default: undefined }),
      ALLOW_INSECURE_CONTROL_PLANE: bool({ default: false }),
      REDIS_URL: redisUrl({ default: undefined }),
      REDIS_CA_FILE: str({ default: undefined }),
      REDIS_CLIENT_CERT_FILE: str({ default: undefined }),
      REDIS_CLIENT_KEY_FILE: str({ default: undefined }),
      PORT: listenPort({ default: 8000 }),
      METRICS_PORT: listenPort({ default: 9100 }),
      RATE_LIMIT_FAILURE_MODE: str({ choices: ['open', 'closed'], default: 'open' }),
      WORKERS: workerCount({ default: 1 }),
      MAX_CONFIG_BYTES: positiveInteger({ default: 16 * 1024 * 1024 }),
      MAX_BODY_BYTES: positiveInteger({ default: 64 * 1024 * 1024 }),
      HEADERS_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.headersTimeoutMs }),
      BODY_IDLE_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.bodyIdleTimeoutMs }),
      REQUEST_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.requestTimeoutMs }),
      MAX_CONNECTIONS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.maxConnections }),
      DRAIN_TIMEOUT_MS: num({ default: 10_000 }),
      LOG_LEVEL: str({ choices: [...LOG_LEVELS], default: 'info' }),
      NODE_ID: nodeIdSetting({ default: undefined }),
      LISTEN_ADDRESS: listenAddress({ default: undefined }),
      GATEWAY_NAME: gatewayName({ default: undefined }),
      TLS_CERT_DIR: certificateDirectory({ default: undefined }),
    },
    {
      reporter: ({ errors }) => {
        const entries = Object.entries(errors);
        if (entries.length === 0) return;
        const reasons = entries.map(([name, error]) =>
          error instanceof EnvMissingError ? `${name} is required` : `${name} ${error instanceof EnvError || error instanceof Error ? error.message : 'is invalid'}`,
        );
        process.stderr.write(`novagate gateway: invalid environment: ${reasons.join('; ')}\n`);
        process.exit(1);
      },
    },
  );
  const redisTls = loadRedisTls(env);
  const { limits: clientLimits, problem: limitsProblem } = clientLimitsFromEnv(env);
  if (limitsProblem !== undefined) fatal(`invalid environment: ${limitsProblem}`);
  if (env.JWT_ACCEPTED_SECRET !== undefined && env.JWT_SECRET === undefined) fatal('invalid environment: JWT_ACCEPTED_SECRET needs JWT_SECRET');
  const sources = [env.CONTROL_PLANE_URL, env.CONFIG_FILE].filter((value) => value !== undefined && value !== '');
  if (sources.length !== 1) fatal('invalid environment: set exactly one of CONTROL_PLANE_URL or CONFIG_FILE');
  if (env.CONTROL_PLANE_URL !== undefined) {
    if (env.GATEWAY_API_KEY === undefined) fatal('invalid environment: GATEWAY_API_KEY is required with CONTROL_PLANE_URL');
    // ws:// would send the gateway API key (Authorization: Bearer gw_…) and every config in clear text.
    if (new URL(env.CONTROL_PLANE_URL).protocol === 'ws:' && !env.ALLOW_INSECURE_CONTROL_PLANE) {
      fatal('invalid environment: CONTROL_PLANE_URL must be wss:// (ws:// sends the gateway API key in clear text; ALLOW_INSECURE_CONTROL_PLANE=true allows it for development only)');
    }
    const tenant = tenantIdOfApiKey(env.GATEWAY_API_KEY) as string;
    let ca: string | undefined;
    if (env.CONTROL_PLANE_CA_FILE !== undefined) {
      try {
        ca = readFileSync(env.CONTROL_PLANE_CA_FILE, 'utf8');
      } catch (error) {
        fatal(`invalid environment: CONTROL_PLANE_CA_FILE cannot be read (${(error as { code?: string }).code ?? 'error'})`);
      }
    }
    // The API key is the one secret a control-plane gateway is sure to have; whoever has it can fetch the config anyway.
    const cacheKey = deriveConfigCacheKey(env.GATEWAY_API_KEY);
    return { ...env, clientLimits, mode: 'control-plane' as const, tenant, controlPlaneCa: ca, CONFIG_FILE: '', cacheKey, redisTls };
  }
  const cacheKey = env.CONFIG_CACHE_KEY === undefined ? undefined : deriveConfigCacheKey(env.CONFIG_CACHE_KEY);
  return { ...env, clientLimits, mode: 'standalone' as const, tenant: STANDALONE_TENANT, controlPlaneCa: undefined, CONFIG_FILE: env.CONFIG_FILE as string, cacheKey, redisTls };
}

/** REDIS_CA_FILE and the client certificate, read once; only meaningful with a rediss:// REDIS_URL. */
function loadRedisTls(env: { REDIS_URL?: string; REDIS_CA_FILE?: string; REDIS_CLIENT_CERT_FILE?: string; REDIS_CLIENT_KEY_FILE?: string }): RespTlsOptions | undefined {
  const files = { REDIS_CA_FILE: env.REDIS_CA_FILE, REDIS_CLIENT_CERT_FILE: env.REDIS_CLIENT_CERT_FILE, REDIS_CLIENT_KEY_FILE: env.REDIS_CLIENT_KEY_FILE };
  const named = Object.entries(files).filter(([, file]) => file !== undefined).map(([name]) => name);
  if (env.REDIS_URL === undefined || !env.REDIS_URL.startsWith('rediss:')) {
    // A CA file beside a plaintext URL would read as "this connection is verified" while it is not.
    if (named.length > 0) fatal(`invalid environment: ${named.join(', ')} ${named.length === 1 ? 'needs' : 'need'} a rediss:// REDIS_URL`);
    return undefined;
  }
  if ((files.REDIS_CLIENT_CERT_FILE === undefined) !== (files.REDIS_CLIENT_KEY_FILE === undefined)) {
    fatal('invalid environment: REDIS_CLIENT_CERT_FILE and REDIS_CLIENT_KEY_FILE must be set together');
  }
  const read = (name: keyof typeof files): string | undefined => {
    const file = files[name];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      return fatal(`invalid environment: ${name} cannot be read (${(error as { code?: string }).code ?? 'error'})`);
    }
  };
  return { ca: read('REDIS_CA_FILE'), cert: read('REDIS_CLIENT_CERT_FILE'), key: read('REDIS_CLIENT_KEY_FILE') };
}

type Environment = ReturnType<typeof loadEnvironment>;

function fatal(message: string): never {
  process.stderr.write(`novagate gateway: ${message}\n`);
  process.exit(1);
}

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

const env = loadEnvironment(process.env);
if (cluster.isPrimary && env.WORKERS > 1) await runPrimary(env);
else await runWorker(env, cluster.isWorker);
