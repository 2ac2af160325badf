// Assembles one control-plane replica: the HTTP(S) API, the gateway WebSocket hub on the same port, and the
// LISTEN session that feeds the hub. main.ts calls this with the environment; tests call it with their own.
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Gauge } from 'prom-client';
import type { Logger } from 'winston';
import type { Mailer } from './auth/mailer.js';
import { createPlatformTokens } from './auth/platform-token.js';
import { createTokenVersions } from './auth/token-versions.js';
import type { AuthThrottleRules } from './auth/router.js';
import type { Throttle } from './auth/throttle.js';
import { DEFAULT_POOL_MAX, type Pool } from './db/pool.js';
import { createTenantGate, tenantGateLimits } from './db/tenant-gate.js';
import { createTenantDb } from './tenancy/tenant-db.js';
import { createApp } from './http/app.js';
import { createListCache } from './admin-api/list-cache.js';
import type { FastifyServerFactory } from 'fastify';
import { startChangeListener, type ChangeListener } from './hub/change-listener.js';
import { createHub, type Hub } from './hub/hub.js';
import type { Presence } from './hub/presence.js';
import { createMetrics, type ControlPlaneMetrics } from './telemetry/metrics.js';

export interface ControlPlaneOptions {
  databaseUrl: string;
  pool: Pool;
  /** The pool's size (`DATABASE_POOL_MAX`): each tenant may use a quarter of it at once. */
  poolMax?: number;
  logger: Logger;
  platformJwtSecret: string;
  /** A second secret whose platform tokens are accepted, never issued (rotation). */
  platformJwtAcceptedSecret?: string;
  throttle: Throttle;
  throttleRules?: AuthThrottleRules;
  presence: Presence;
  mailer: Mailer;
  port: number;
  host?: string;
  tls?: { cert: string; key: string };
  trustedProxies: string[];
  corsAllowedOrigins: string[];
  publicUrl?: string;
  maxConfigBytes: number;
  listenerReconnectDelayMs?: number;
  pingIntervalMs?: number;
  now?: () => Date;
}

export interface ControlPlane {
  url: string;
  port: number;
  server: Server;
  hub: Hub;
  listener: ChangeListener;
  metrics: ControlPlaneMetrics;
  close(): Promise<void>;
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

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const metrics = createMetrics(options.pool);
  if (options.tls !== undefined) tlsExpiryGauge(metrics, options.tls.cert);
  const scheme = options.tls === undefined ? 'http' : 'https';
  const tokenVersions = createTokenVersions(options.pool);
  const listCache = createListCache();
  let server: Server | undefined;
  const serverFactory: FastifyServerFactory = (handler) => {
    server = options.tls === undefined ? createHttpServer(handler) : createHttpsServer(options.tls, handler);
    return server;
  };
  const tenantDb = createTenantDb(options.pool, createTenantGate(tenantGateLimits(options.poolMax ?? DEFAULT_POOL_MAX)));
  const app = await createApp({
    pool: options.pool,
    tenantDb,
    logger: options.logger,
    tokens: createPlatformTokens(options.platformJwtSecret, options.now, options.platformJwtAcceptedSecret),
    tokenVersions,
    listCache,
    throttle: options.throttle,
    throttleRules: options.throttleRules,
    mailer: options.mailer,
    metrics,
    presence: options.presence,
    trustedProxies: options.trustedProxies,
    corsAllowedOrigins: options.corsAllowedOrigins,
    publicUrl: options.publicUrl ?? `${scheme}://localhost:${options.port}`,
    now: options.now,
  }, serverFactory);
  if (server === undefined) throw new Error('fastify did not create the server');
  server.keepAliveTimeout = 65_000;
  const hub = createHub({
    pool: options.pool,
    logger: options.logger,
    presence: options.presence,
    registry: metrics.registry,
    maxConfigBytes: options.maxConfigBytes,
    pingIntervalMs: options.pingIntervalMs,
  });
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
  return {
    url: `${scheme}://localhost:${port}`,
    port,
    server: httpServer,
    hub,
    listener,
    metrics,
    async close() {
      await hub.close();
      await listener.close();
      // In-flight requests get up to 5 s; idle keep-alive connections close at once.
      const force = setTimeout(() => httpServer.closeAllConnections(), 5_000).unref();
      await app.close();
      clearTimeout(force);
    },
  };
}
