// The control plane's HTTP application on fastify: security headers (helmet's), CORS, request ids, body limits, the
// /api/v1 routes, health, and the one error handler (metrics have their own listener: telemetry/metrics-server.ts).
// The server itself (HTTP or HTTPS, shared with the gateway WebSocket hub) comes from the caller through `serverFactory`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCors from '@fastify/cors';
import helmet from 'helmet';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from 'winston';
import { REQUEST_ID_PATTERN } from '@novagate/gateway/protocol';
import { registerApiKeyRoutes } from '../admin-api/api-keys-router.js';
import { registerConfigRoutes } from '../admin-api/config-router.js';
import { registerConfigHistoryRoutes } from '../admin-api/config-history-router.js';
import { registerConsumerKeyRoutes } from '../admin-api/consumer-keys-router.js';
import { consumers, listeners, routes, services } from '../admin-api/entities.js';
import { registerEntityRoutes } from '../admin-api/entity-router.js';
import { registerCertificateRoutes } from '../admin-api/certificates-router.js';
import type { SecretBox } from '../tenancy/secret-box.js';
import { registerGatewayRoutes, registerRequestLogRoutes } from '../admin-api/gateways-router.js';
import { registerErrorEventRoutes } from '../admin-api/error-events-router.js';
import type { ListCache } from '../admin-api/list-cache.js';
import type { Presence } from '../hub/presence.js';
import type { Mailer } from '../auth/mailer.js';
import type { PlatformTokens } from '../auth/platform-token.js';
import type { TokenVersions } from '../auth/token-versions.js';
import { requireTenantAccess } from '../auth/require-tenant.js';
import type { SessionStore } from '../auth/sessions.js';
import { registerLegacyMailLinks } from '../auth/mail-links.js';
import { DEFAULT_CONSOLE_DIR, registerConsole } from './console-files.js';
import { registerAuthRoutes, DEFAULT_AUTH_THROTTLE, type AuthThrottleRules } from '../auth/router.js';
import type { Throttle } from '../auth/throttle.js';
import { ping, type Pool } from '../db/pool.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { requestContext } from '../telemetry/logger.js';
import type { ControlPlaneMetrics } from '../telemetry/metrics.js';
import { ApiError, handleError, requestErrorOf, sendError, validationFailed } from './errors.js';
import { firstNulPath, NUL_MESSAGE } from './nul-bytes.js';
import { BODY_LIMIT } from './limits.js';
import { readiness } from './readiness.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireTenantAccess` on every /tenants/:tenantId/... route: the tenant the token may act for. */
    tenantId: string;
  }
}

export interface AppDeps {
  pool: Pool;
  /** Tenant-scoped database work: the tenant's role, its rows, its share of the pool. */
  tenantDb: TenantDb;
  logger: Logger;
  tokens: PlatformTokens;
  tokenVersions: TokenVersions;
  listCache: ListCache;
  throttle: Throttle;
  throttleRules?: AuthThrottleRules;
  mailer: Mailer;
  metrics: ControlPlaneMetrics;
  presence: Presence;
  /** Addresses and CIDRs of proxies whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  corsAllowedOrigins: string[];
  publicUrl: string;
  /** Pings Redis, when the replica uses one: /readyz names it when it is down. */
  redisProbe?: () => Promise<boolean>;
  now?: () => Date;
  /** Seals pushed certificates' keys (SECRETS_ENCRYPTION_KEY); without it certificates cannot be written. */
  secrets?: SecretBox;
  /** How the login delay waits (tests record it instead). */
  sleep?: (ms: number) => Promise<void>;
  /** The web console's cookie sessions (auth/sessions.ts). */
  sessions: SessionStore;
  sessionTtlSeconds: number;
  /** The web console's build (index.html and assets/); DEFAULT_CONSOLE_DIR, this checkout's console/dist, when absent. */
  consoleDir?: string;
}

/** The caller's X-Request-ID when it is a sane token, else a fresh UUID. */
function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/**
 * The Content-Security-Policy of every response, the pages the control plane serves (the web console) included:
 * scripts and styles only from this origin as separate files (no inline code, no `unsafe-inline`), never framed
 * (`frame-ancestors 'none'`, with X-Frame-Options DENY for old browsers).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'upgrade-insecure-requests': [],
};

/**
 * helmet's security headers with the strict policy above, worked out once: with no per-request options (no CSP
 * nonces) they are the same on every response, so they are set from this table instead of running helmet per request.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  let done = false;
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    xFrameOptions: { action: 'deny' },
  })({ headers: {} } as IncomingMessage, response, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}

/** Every route the app serves (method and URL template), as registered. */
export type RouteList = readonly { method: string; url: string }[];

export async function createApp(deps: AppDeps, serverFactory: FastifyServerFactory, routeList: { method: string; url: string }[] = []): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  // What a browser sends as Origin from the control plane's own pages: the only origin cookie-authenticated writes may come from.
  const expectedOrigin = new URL(deps.publicUrl).origin;
  const app = Fastify({
    serverFactory,
    logger: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.trustedProxies.length === 0 ? false : deps.trustedProxies,
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors fastify meets before routing (a URL that is not validly percent-encoded) take the same shape.
    frameworkErrors: (error, _request, reply) => sendError(reply, requestErrorOf(error) ?? new ApiError(400, 'validation_failed', error.message)),
  });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeList.push({ method, url: route.url });
  });
  // JSON bodies through fastify's own parser (prototype poisoning refused), but only in UTF-8.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = /;\s*charset=("?)([^";\s]+)\1/i.exec(request.headers['content-type'] ?? '')?.[2];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(new ApiError(415, 'unsupported_media_type', `request body must be UTF-8 JSON, not ${charset}`), undefined);
      return;
    }
    // Many clients send Content-Type on every request: an empty body (a DELETE, say) is no body.
    if (body === '') done(null, undefined);
    else
      void parseJson(request, body as string, (error, value) => {
        if (error !== null) return done(error, undefined);
        const path = firstNulPath(value);
        if (path !== null) return done(validationFailed([{ path, message: NUL_MESSAGE }]), undefined);
        done(null, value);
      });
  });
  // The query string too, on every route (a handler that ignores a parameter never sees it, so no harm).
  app.addHook('preValidation', (request, _reply, done) => {
    const path = firstNulPath(request.query);
    done(path === null ? undefined : validationFailed([{ path, message: NUL_MESSAGE }], 'query is invalid'));
  });

  const security = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(security);
    reply.header('X-Request-ID', request.id);
    done();
  });
  // Bodies are parsed by now, so the context survives into the handler and every log line it writes.
  app.addHook('preValidation', (request, _reply, done) => requestContext.run({ requestId: request.id }, done));
  // Metrics and one access-log line per request, labelled with the route template, never the raw URL.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    const status = String(reply.statusCode);
    deps.metrics.httpRequests.inc({ method: request.method, route, status });
    deps.metrics.httpDuration.observe({ method: request.method, route }, seconds);
    // winston formats a line before its transports filter by level: skip the work when info is off.
    if (deps.logger.isInfoEnabled()) {
      deps.logger.info('request', { requestId: request.id, method: request.method, route, status: reply.statusCode, latencyMs: Math.round(seconds * 1e4) / 10 });
    }
    done();
  });

  if (deps.corsAllowedOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: deps.corsAllowedOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-ID', 'If-Match'],
      // A cross-origin client reads ETag to make its next write conditional (If-Match).
      exposedHeaders: ['ETag'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      maxAge: 600,
    });
  }

  app.setErrorHandler(handleError(deps.logger));
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, new ApiError(404, 'not_found', `no endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerLegacyMailLinks(app);
  registerConsole(app, deps.consoleDir ?? DEFAULT_CONSOLE_DIR);
  app.get('/readyz', async (_request, reply) => {
    const database = { name: 'database', required: true, check: async () => (await ping(deps.pool), true) };
    const redis = deps.redisProbe === undefined ? [] : [{ name: 'redis', required: false, check: deps.redisProbe }];
    const { statusCode, body } = await readiness([database, ...redis]);
    return reply.code(statusCode).send(body);
  });

  await app.register(
    async (auth) =>
      registerAuthRoutes(auth, {
        pool: deps.pool,
        tokens: deps.tokens,
        tokenVersions: deps.tokenVersions,
        throttle: deps.throttle,
        throttleRules: deps.throttleRules ?? DEFAULT_AUTH_THROTTLE,
        mailer: deps.mailer,
        logger: deps.logger,
        now,
        publicUrl: deps.publicUrl,
        sleep: deps.sleep,
        sessions: deps.sessions,
        expectedOrigin,
        sessionTtlSeconds: deps.sessionTtlSeconds,
      }),
    { prefix: '/api/v1/auth' },
  );
  await app.register(
    async (tenant) => {
      tenant.decorateRequest('tenantId', '');
      tenant.addHook('onRequest', requireTenantAccess(deps.tokens, deps.tokenVersions, { sessions: deps.sessions, expectedOrigin, now }));
      await tenant.register(async (scope) => registerConfigRoutes(scope, deps.tenantDb, deps.listCache, deps.secrets, now), { prefix: '/config' });
      await tenant.register(async (scope) => registerConfigHistoryRoutes(scope, deps.tenantDb, deps.listCache, deps.secrets, now), { prefix: '/config' });
      await tenant.register(async (scope) => registerCertificateRoutes(scope, deps.tenantDb, deps.secrets, now), { prefix: '/certificates' });
      await tenant.register(async (scope) => registerApiKeyRoutes(scope, deps.tenantDb), { prefix: '/api-keys' });
      await tenant.register(async (scope) => registerEntityRoutes(scope, deps.tenantDb, deps.listCache, services), { prefix: '/services' });
      await tenant.register(async (scope) => registerEntityRoutes(scope, deps.tenantDb, deps.listCache, routes), { prefix: '/routes' });
      await tenant.register(async (scope) => registerEntityRoutes(scope, deps.tenantDb, deps.listCache, consumers), { prefix: '/consumers' });
      await tenant.register(async (scope) => registerEntityRoutes(scope, deps.tenantDb, deps.listCache, listeners), { prefix: '/listeners' });
      await tenant.register(async (scope) => registerConsumerKeyRoutes(scope, deps.tenantDb, deps.listCache), { prefix: '/consumers/:id/keys' });
      await tenant.register(async (scope) => registerGatewayRoutes(scope, deps.tenantDb, deps.presence), { prefix: '/gateways' });
      await tenant.register(async (scope) => registerRequestLogRoutes(scope, deps.tenantDb), { prefix: '/request-logs' });
      await tenant.register(async (scope) => registerErrorEventRoutes(scope, deps.tenantDb), { prefix: '/errors' });
    },
    { prefix: '/api/v1/tenants/:tenantId' },
  );
  await app.ready();
  return app;
}
