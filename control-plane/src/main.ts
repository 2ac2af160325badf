// Control-plane entry point: the only module that reads the environment; it wires the pieces and serves.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { loadControlPlaneEnv } from './env.js';

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

const env = loadControlPlaneEnv(process.env, fail);
// The rest loads once the environment passed: a refused start-up costs no more than reading it.
const [{ createFolderMailer, createSmtpMailer }, { migrate }, { createPool }, { createRedisClient, redisReady }, { startControlPlane }, { createLogger }] = await Promise.all([
  import('./auth/mailer.js'),
  import('./db/migrate.js'),
  import('./db/pool.js'),
  import('./redis/client.js'),
  import('./server.js'),
  import('./telemetry/logger.js'),
]);
const logger = createLogger(env.LOG_LEVEL);
const pool = createPool(env.DATABASE_URL, env.DATABASE_POOL_MAX);

const report = await migrate(pool, {
  onTenantsLagging: (lagging, total) => logger.info('migrating tenant schemas', { lagging, tenants: total }),
  onProgress: (progress) => logger.info('migrating tenant schemas: progress', { ...progress }),
}).catch((error: unknown) =>
  fail(`control-plane: database migration failed: ${error instanceof Error ? error.message : String(error)}`),
);
logger.info('database migrated', { ...report });

const readPem = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`control-plane: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
};
const readOptionalPem = (file: string | undefined) => (file === undefined ? undefined : readPem(file));

let redis: Redis | undefined;
if (env.REDIS_URL !== undefined) {
  const tls = env.REDIS_URL.startsWith('rediss:')
    ? { ca: readOptionalPem(env.REDIS_CA_FILE), cert: readOptionalPem(env.REDIS_CLIENT_CERT_FILE), key: readOptionalPem(env.REDIS_CLIENT_KEY_FILE) }
    : undefined;
  // Errors are reported once per outage by the fallbacks (redis/health.ts), not once per reconnect attempt.
  redis = createRedisClient(env.REDIS_URL, tls, (error) => logger.debug('redis error', { error: error.message }));
  // Commands fail at once until the first connection is ready: give it a moment so start-up is not an outage.
  if (!(await redisReady(redis, 2_000))) logger.warn('redis is not reachable yet; its users fall back until it is');
} else {
  logger.warn('REDIS_URL is unset: login throttling and gateway presence are kept in this process only');
}
if (env.SMTP_URL === undefined) logger.warn(`SMTP_URL is unset: mail is written to files in ${env.MAIL_DIR}, not sent`);
if (env.SECRETS_ENCRYPTION_KEY === undefined) logger.warn('SECRETS_ENCRYPTION_KEY is unset: pushed TLS certificates are disabled (storing one answers 503)');

const controlPlane = await startControlPlane({
  databaseUrl: env.DATABASE_URL,
  pool,
  poolMax: env.DATABASE_POOL_MAX,
  logger,
  platformJwtSecret: env.PLATFORM_JWT_SECRET,
  platformJwtAcceptedSecret: env.PLATFORM_JWT_ACCEPTED_SECRET,
  redis,
  mailer: env.SMTP_URL === undefined ? createFolderMailer(env.MAIL_DIR) : createSmtpMailer(env.SMTP_URL, env.MAIL_FROM),
  port: env.PORT,
  metricsPort: env.METRICS_PORT,
  tls:
    env.TLS_CERT_FILE !== undefined && env.TLS_KEY_FILE !== undefined
      ? { cert: readPem(env.TLS_CERT_FILE), key: readPem(env.TLS_KEY_FILE) }
      : undefined,
  trustedProxies: env.TRUSTED_PROXIES,
  corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
  publicUrl: env.PUBLIC_URL,
  sessionTtlSeconds: env.CONSOLE_SESSION_TTL_SECONDS,
  maxConfigBytes: env.MAX_CONFIG_BYTES,
  clientLimits: env.clientLimits,
  secretsEncryption:
    env.SECRETS_ENCRYPTION_KEY === undefined ? undefined : { key: env.SECRETS_ENCRYPTION_KEY, acceptedKey: env.SECRETS_ENCRYPTION_ACCEPTED_KEY },
}).catch((error: unknown) => fail(`control-plane: cannot start: ${error instanceof Error ? error.message : String(error)}`));
logger.info('control plane listening', { port: controlPlane.port, url: controlPlane.url, metricsPort: controlPlane.metricsPort });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  setTimeout(() => process.exit(0), 10_000).unref();
  await controlPlane.close();
  await Promise.allSettled([pool.end(), redis?.quit()]);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
