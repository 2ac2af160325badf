// Control-plane entry point: the only module that reads the environment; it wires the pieces and serves.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Redis } from 'ioredis';
import { createFolderMailer, createSmtpMailer } from './auth/mailer.js';
import { createPlatformTokens } from './auth/platform-token.js';
import { createMemoryThrottle, createRedisThrottle } from './auth/throttle.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { loadControlPlaneEnv } from './env.js';
import { createApp } from './http/app.js';
import { createLogger } from './telemetry/logger.js';
import { createMetrics } from './telemetry/metrics.js';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

const env = loadControlPlaneEnv(process.env, fail);
const logger = createLogger(env.LOG_LEVEL);
const pool = createPool(env.DATABASE_URL);

const report = await migrate(pool).catch((error: unknown) =>
  fail(`control-plane: database migration failed: ${error instanceof Error ? error.message : String(error)}`),
);
logger.info('database migrated', { ...report });

let redis: Redis | undefined;
if (env.REDIS_URL !== undefined) {
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', (error: Error) => logger.warn('redis error', { error: error.message }));
} else {
  logger.warn('REDIS_URL is unset: login throttling is kept in this process only');
}

const tls = env.TLS_CERT_FILE !== undefined && env.TLS_KEY_FILE !== undefined;
const scheme = tls ? 'https' : 'http';
const app = createApp({
  pool,
  logger,
  tokens: createPlatformTokens(env.PLATFORM_JWT_SECRET),
  throttle: redis === undefined ? createMemoryThrottle() : createRedisThrottle(redis),
  mailer: env.SMTP_URL === undefined ? createFolderMailer(env.MAIL_DIR) : createSmtpMailer(env.SMTP_URL, env.MAIL_FROM),
  metrics: createMetrics(pool),
  trustedProxies: env.TRUSTED_PROXIES,
  corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
  publicUrl: env.PUBLIC_URL ?? `${scheme}://localhost:${env.PORT}`,
});
if (env.SMTP_URL === undefined) logger.warn(`SMTP_URL is unset: mail is written to files in ${env.MAIL_DIR}, not sent`);

const server = tls
  ? createHttpsServer({ cert: readFileSync(env.TLS_CERT_FILE as string), key: readFileSync(env.TLS_KEY_FILE as string) }, app)
  : createHttpServer(app);
server.keepAliveTimeout = 65_000;
server.listen(env.PORT, () => logger.info('control plane listening', { port: env.PORT, scheme }));

function shutdown(signal: string): void {
  logger.info('shutting down', { signal });
  server.close(() => {
    void Promise.allSettled([pool.end(), redis?.quit()]).then(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
