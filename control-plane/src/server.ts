// Assembles one control-plane replica: the HTTP(S) API, the gateway WebSocket hub on the same port, the
// LISTEN session that feeds the hub, and /metrics on its own port. main.ts calls this with the environment;
// tests call it with their own.
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Gauge } from 'prom-client';
import type { Logger } from 'winston';
import type { Mailer } from './auth/mailer.js';
import { createPlatformTokens } from './auth/platform-token.js';
import { createTokenVersions } from './auth/token-versions.js';
import { createSessionStore, DEFAULT_SESSION_TTL_SECONDS } from './auth/sessions.js';
import type { AuthThrottleRules } from './auth/router.js';
import { createMemoryThrottle, createRedisThrottle, type Throttle } from './auth/throttle.js';
import { createFallbackThrottle } from './auth/throttle-fallback.js';
import type { Redis } from 'ioredis';
import { DEFAULT_POOL_MAX, type Pool } from './db/pool.js';
import { createTenantGate, tenantGateLimits } from './db/tenant-gate.js';
import { createTenantDb } from './tenancy/tenant-db.js';
import { createSecretBox, type SecretBox } from './tenancy/secret-box.js';
import { resealCertificates } from './tenancy/certificate-reseal.js';
import { createApp, type RouteList } from './http/app.js';
import { createListCache } from './admin-api/list-cache.js';
import type { FastifyServerFactory } from 'fastify';
import { DEFAULT_CLIENT_LIMITS, limitConnections, serverTimeoutOptions, watchBodyIdle, type ClientLimits } from '@novagate/gateway/server/client-limits';
import { startChangeListener, type ChangeListener } from './db/change-listener.js';
import { createHub, type Hub, type HubProtection } from './hub/hub.js';
import { createMemoryPresence, createRedisPresence, type Presence } from './hub/presence.js';
import { createFallbackPresence } from './hub/presence-fallback.js';
import { createRedisHealth } from './redis/health.js';
import { startTelemetryRetention } from './hub/telemetry-retention.js';
import { createMetrics, type ControlPlaneMetrics } from './telemetry/metrics.js';
import { createMetricsServer } from './telemetry/metrics-server.js';

export interface ControlPlaneOptions {
  databaseUrl: string;
  pool: Pool;
  /** The pool's size (`DATABASE_POOL_MAX`): each tenant may use a quarter of it at once. */
  poolMax?: number;
  logger: Logger;
  platformJwtSecret: string;
  /** A second secret whose platform tokens are accepted, never issued (rotation). */
  platformJwtAcceptedSecret?: string;
  /**
   * Shared by every replica for login throttling and presence, each falling back (to this replica's memory,
   * to gateway_nodes) while it fails. Without it both live in this process.
   */
  redis?: Redis;
  /** Overrides the throttle made from `redis` (tests). */
  throttle?: Throttle;
  throttleRules?: AuthThrottleRules;
  /** Overrides the presence made from `redis` (tests). */
  presence?: Presence;
  mailer: Mailer;
  port: number;
  /** The /metrics listener's port (0 = any free port). */
  metricsPort: number;
  host?: string;
  tls?: { cert: string; key: string };
  trustedProxies: string[];
  corsAllowedOrigins: string[];
  publicUrl?: string;
  maxConfigBytes: number;
  /** Slow-client and connection bounds; DEFAULT_CLIENT_LIMITS when absent. */
  clientLimits?: ClientLimits;
  listenerReconnectDelayMs?: number;
  pingIntervalMs?: number;
  /** Gateway admission lease (default 45 s, DESIGN §6's offline bound). */
  gatewayLeaseMs?: number;
  /** Flood and key-guessing bounds of the gateway hub; tests shrink them. */
  hubProtection?: Partial<HubProtection>;
  /** How often old telemetry is deleted (default 10 minutes). */
  retentionIntervalMs?: number;
  now?: () => Date;
  /**
   * SECRETS_ENCRYPTION_KEY (and SECRETS_ENCRYPTION_ACCEPTED_KEY during a rotation): seals pushed certificates' keys.
   * Without it certificates cannot be written, and a config holding some cannot be pushed.
   */
  secretsEncryption?: { key: string; acceptedKey?: string };
  /** How the login delay waits (tests record it instead). */
  sleep?: (ms: number) => Promise<void>;
  /** How long a web console session lasts (default DEFAULT_SESSION_TTL_SECONDS, 8 h). */
  sessionTtlSeconds?: number;
  /** The web console's build directory (http/console-files.ts); this checkout's console/dist when absent. */
  consoleDir?: string;
}

export interface ControlPlane {
  url: string;
  port: number;
  /** The port /metrics is served on (never the API port). */
  metricsPort: number;
  /** Every HTTP route of the API (method and URL template). */
  routes: RouteList;
  server: Server;
  hub: Hub;
  listener: ChangeListener;
  metrics: ControlPlaneMetrics;
  close(): Promise<void>;
}

/** 408 for a body that stopped arriving (fastify is still waiting for it); the connection closes after it. */
function answerBodyStalled(res: ServerResponse, idleMs: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: 'request_timeout', message: `the request body stalled: no byte arrived for ${idleMs} ms` } });
  res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

function tlsExpiryGauge(metrics: ControlPlaneMetrics, certPem: string): void {
  const certificate = new X509Certificate(certPem);
  const gauge = new Gauge({
    name: 'novagate_tls_certificate_expiry_timestamp_seconds',
    help: 'Expiry of the serving TLS certificate, as a Unix timestamp',
    registers: [metrics.registry],
  });
  gauge.set(Date.parse(certificate.validTo) / 1000);
}

/**
 * During a rotation (SECRETS_ENCRYPTION_ACCEPTED_KEY set), re-seals in the background what the previous key sealed
 * and logs the outcome, so the previous key can be removed. Never rejects.
 */
async function resealAfterRotation(options: ControlPlaneOptions, secrets: SecretBox | undefined, signal: AbortSignal): Promise<void> {
  if (secrets === undefined || options.secretsEncryption?.acceptedKey === undefined) return;
  try {
    const outcome = await resealCertificates(options.pool, secrets, signal);
    if (outcome.unopened.length > 0) {
      options.logger.error('some certificate keys open under neither SECRETS_ENCRYPTION_KEY nor SECRETS_ENCRYPTION_ACCEPTED_KEY', { tenantIds: outcome.unopened });
    }
    options.logger.info('certificate keys re-sealed under SECRETS_ENCRYPTION_KEY', { resealed: outcome.resealed, complete: !signal.aborted && outcome.unopened.length === 0 });
  } catch (error) {
    options.logger.warn('re-sealing certificate keys failed; it runs again at the next start', { error: error instanceof Error ? error.message : String(error) });
  }
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const metrics = createMetrics(options.pool);
  const secrets = options.secretsEncryption === undefined ? undefined : createSecretBox(options.secretsEncryption.key, options.secretsEncryption.acceptedKey);
  if (options.tls !== undefined) tlsExpiryGauge(metrics, options.tls.cert);
  const redis = options.redis;
  const redisHealth = redis === undefined ? undefined : createRedisHealth({ logger: options.logger, registry: metrics.registry, ping: () => redis.ping() });
  const throttle =
    options.throttle ??
    (redis === undefined || redisHealth === undefined ? createMemoryThrottle() : createFallbackThrottle(createRedisThrottle(redis), createMemoryThrottle(), redisHealth));
  const presence =
    options.presence ??
    (redis === undefined || redisHealth === undefined
      ? createMemoryPresence()
      : createFallbackPresence(createRedisPresence(redis), options.pool, redisHealth));
  const scheme = options.tls === undefined ? 'http' : 'https';
  const tokenVersions = createTokenVersions(options.pool);
  const listCache = createListCache();
  let server: Server | undefined;
  const limits = options.clientLimits ?? DEFAULT_CLIENT_LIMITS;
  const serverFactory: FastifyServerFactory = (handler) => {
    const watched: typeof handler = (req, res) => {
      watchBodyIdle(req, limits.bodyIdleTimeoutMs, () => answerBodyStalled(res, limits.bodyIdleTimeoutMs));
      handler(req, res);
    };
    const timeouts = serverTimeoutOptions(limits);
    server = options.tls === undefined ? createHttpServer(timeouts, watched) : createHttpsServer({ ...options.tls, ...timeouts }, watched);
    limitConnections(server, limits);
    return server;
  };
  const routes: { method: string; url: string }[] = [];
  const tenantDb = createTenantDb(options.pool, createTenantGate(tenantGateLimits(options.poolMax ?? DEFAULT_POOL_MAX)));
  const app = await createApp({
    pool: options.pool,
    tenantDb,
    logger: options.logger,
    tokens: createPlatformTokens(options.platformJwtSecret, options.now, options.platformJwtAcceptedSecret),
    tokenVersions,
    listCache,
    throttle,
    throttleRules: options.throttleRules,
    mailer: options.mailer,
    metrics,
    presence,
    redisProbe: redisHealth?.probe,
    trustedProxies: options.trustedProxies,
    corsAllowedOrigins: options.corsAllowedOrigins,
    publicUrl: options.publicUrl ?? `${scheme}://localhost:${options.port}`,
    now: options.now,
    secrets,
    sleep: options.sleep,
    sessions: createSessionStore(options.pool, options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS),
    sessionTtlSeconds: options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
    consoleDir: options.consoleDir,
  }, serverFactory, routes);
  if (server === undefined) throw new Error('fastify did not create the server');
  server.keepAliveTimeout = 65_000;
  const hub = createHub({
    pool: options.pool,
    logger: options.logger,
    presence,
    registry: metrics.registry,
    maxConfigBytes: options.maxConfigBytes,
    pingIntervalMs: options.pingIntervalMs,
    leaseMs: options.gatewayLeaseMs,
    trustedProxies: options.trustedProxies,
    protection: options.hubProtection,
    secrets,
  });
  const retention = startTelemetryRetention(options.pool, options.logger, metrics.registry, options.retentionIntervalMs);
  const resealing = new AbortController();
  const reseal = resealAfterRotation(options, secrets, resealing.signal);
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  const listener = startChangeListener({
    connectionString: options.databaseUrl,
    logger: options.logger,
    reconnectDelayMs: options.listenerReconnectDelayMs,
    handlers: {
      configChanged: (tenantId, version) => {
        listCache.invalidate(tenantId);
        hub.configChanged(tenantId, version);
      },
      keyRevoked: (tenantId, keyId) => hub.keyRevoked(tenantId, keyId),
      tenantTokensChanged: (tenantId) => tokenVersions.invalidate(tenantId),
      gatewayReplaced: (notice) => hub.gatewayReplaced(notice),
      disconnected: () => {
        tokenVersions.setListening(false);
        listCache.setListening(false);
      },
      listening: () => {
        tokenVersions.setListening(true);
        listCache.setListening(true);
        void hub.rescan().catch((error: unknown) =>
          options.logger.warn('rescan failed', { error: error instanceof Error ? error.message : 'unknown' }),
        );
      },
    },
  });
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const httpServer = server as Server;
  const port = (httpServer.address() as AddressInfo).port;
  const metricsServer = createMetricsServer(metrics.registry, options.tls);
  try {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(options.metricsPort, options.host ?? '0.0.0.0', () => {
        metricsServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    await listener.close();
    await app.close();
    throw new Error(`metrics port ${options.metricsPort}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    url: `${scheme}://localhost:${port}`,
    port,
    metricsPort: (metricsServer.address() as AddressInfo).port,
    routes,
    server: httpServer,
    hub,
    listener,
    metrics,
    async close() {
      resealing.abort();
      await Promise.all([hub.close(), retention.stop(), reseal]);
      await listener.close();
      // In-flight requests get up to 5 s; idle keep-alive connections close at once.
      const force = setTimeout(() => httpServer.closeAllConnections(), 5_000).unref();
      await app.close();
      clearTimeout(force);
      metricsServer.closeAllConnections();
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    },
  };
}
