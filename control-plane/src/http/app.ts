// The control plane's HTTP application: security headers, CORS, request ids, body limits, the /api/v1
// routers, health and metrics, and the one error handler.
import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'winston';
import { createApiKeysRouter } from '../admin-api/api-keys-router.js';
import { createConfigRouter } from '../admin-api/config-router.js';
import { consumers, routes, services } from '../admin-api/entities.js';
import { createEntityRouter } from '../admin-api/entity-router.js';
import { createGatewaysRouter, createRequestLogsRouter } from '../admin-api/gateways-router.js';
import type { Presence } from '../hub/presence.js';
import type { Mailer } from '../auth/mailer.js';
import type { PlatformTokens } from '../auth/platform-token.js';
import type { TokenVersions } from '../auth/token-versions.js';
import { requireTenantAccess } from '../auth/require-tenant.js';
import { createAuthRouter, DEFAULT_AUTH_THROTTLE, type AuthThrottleRules } from '../auth/router.js';
import type { Throttle } from '../auth/throttle.js';
import type { Pool } from '../db/pool.js';
import { requestContext } from '../telemetry/logger.js';
import type { ControlPlaneMetrics } from '../telemetry/metrics.js';
import { ApiError, errorHandler, sendError } from './errors.js';

export const BODY_LIMIT = '1mb';
export const CONFIG_BODY_LIMIT = '16mb';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export interface AppDeps {
  pool: Pool;
  logger: Logger;
  tokens: PlatformTokens;
  tokenVersions: TokenVersions;
  throttle: Throttle;
  throttleRules?: AuthThrottleRules;
  mailer: Mailer;
  metrics: ControlPlaneMetrics;
  presence: Presence;
  /** Addresses and CIDRs of proxies whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  corsAllowedOrigins: string[];
  publicUrl: string;
  now?: () => Date;
}

const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-ID', id);
  requestContext.run({ requestId: id }, next);
};

const UUID_IN_PATH = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Metrics and one access-log line per request, labelled with the route template, never the raw URL. */
function observe(metrics: ControlPlaneMetrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const template = req.route === undefined ? 'unmatched' : `${req.baseUrl}${String((req.route as { path: unknown }).path)}`;
      const route = template.replace(UUID_IN_PATH, ':tenantId');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      // winston formats a line before its transports filter by level: skip the work when info is off.
      if (!logger.isInfoEnabled()) return;
      const requestId = res.getHeader('x-request-id');
      logger.info('request', { requestId, method: req.method, route, status: res.statusCode, latencyMs: Math.round(seconds * 1e4) / 10 });
    });
    next();
  };
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  const now = deps.now ?? (() => new Date());
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustedProxies.length === 0 ? false : deps.trustedProxies);
  app.set('etag', false);
  app.use(requestId);
  app.use(helmet());
  if (deps.corsAllowedOrigins.length > 0) {
    app.use(cors({ origin: deps.corsAllowedOrigins, allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-ID'], maxAge: 600 }));
  }
  app.use(observe(deps.metrics, deps.logger));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.pool.query('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const api = express.Router();
  const json = express.json({ limit: BODY_LIMIT, strict: true });
  api.use(
    '/auth',
    json,
    createAuthRouter({
      pool: deps.pool,
      tokens: deps.tokens,
      tokenVersions: deps.tokenVersions,
      throttle: deps.throttle,
      throttleRules: deps.throttleRules ?? DEFAULT_AUTH_THROTTLE,
      mailer: deps.mailer,
      logger: deps.logger,
      now,
      publicUrl: deps.publicUrl,
    }),
  );
  const tenant = express.Router({ mergeParams: true });
  tenant.use(requireTenantAccess(deps.tokens, deps.tokenVersions));
  tenant.use('/config', express.json({ limit: CONFIG_BODY_LIMIT, strict: true }), createConfigRouter(deps.pool));
  tenant.use(json);
  tenant.use('/api-keys', createApiKeysRouter(deps.pool));
  tenant.use('/services', createEntityRouter(deps.pool, services));
  tenant.use('/routes', createEntityRouter(deps.pool, routes));
  tenant.use('/consumers', createEntityRouter(deps.pool, consumers));
  tenant.use('/gateways', createGatewaysRouter(deps.pool, deps.presence));
  tenant.use('/request-logs', createRequestLogsRouter(deps.pool));
  api.use('/tenants/:tenantId', tenant);
  app.use('/api/v1', api);

  app.use((req, res) => sendError(res, new ApiError(404, 'not_found', `no endpoint ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
