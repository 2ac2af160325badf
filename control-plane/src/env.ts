// The control plane's environment (DESIGN §8), validated with envalid. A missing or bad value stops the
// process with one line naming every offending variable.
import { cleanEnv, makeValidator, port, str, url, EnvError, EnvMissingError } from 'envalid';
import { clientLimitsFromEnv, DEFAULT_CLIENT_LIMITS } from '@novagate/gateway/server/client-limits';
import { secretWeakness } from '@novagate/gateway/settings/secret-strength';
import { DEFAULT_SESSION_TTL_SECONDS } from './auth/sessions.js';

/** A secret: at least 32 characters, 128 bits by length × log2 of its alphabet, and not one repeated pattern. */
const secret32 = makeValidator<string>((value) => {
  const weakness = secretWeakness(value);
  if (weakness !== undefined) throw new EnvError(weakness);
  return value;
});

/** A count or a size: an integer from 1 up (envalid's num() takes -1, 0 and 1.5). */
const positiveInteger = makeValidator<number>((value) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new EnvError('must be a positive integer');
  return Number(value);
});

/** How long a console session lives (absolute): 5 minutes to 7 days. */
const sessionSeconds = makeValidator<number>((value) => {
  if (!/^\d+$/.test(value) || Number(value) < 300 || Number(value) > 604_800) throw new EnvError('must be a whole number of seconds from 300 (5 min) to 604800 (7 days)');
  return Number(value);
});

const commaList = makeValidator<string[]>((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const redisUrl = makeValidator<string>((value) => {
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new EnvError('must be a URL such as rediss://redis.example.com:6380');
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new EnvError('must be a redis:// or rediss:// (TLS) URL');
  return value;
});

/** A TCP port, or 0 for any free port (tests). */
const portOrZero = makeValidator<number>((value) => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new EnvError('must be a port number (0 to 65535)');
  return Number(value);
});

const poolSize = makeValidator<number>((value) => {
  const size = Number(value);
  if (!/^\d+$/.test(value) || size < 2 || size > 1000) throw new EnvError('must be a whole number from 2 to 1000');
  return size;
});

const postgresUrl = makeValidator<string>((value) => {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new EnvError('must be a postgres:// URL');
  return value;
});

export const controlPlaneEnvSpec = {
  DATABASE_URL: postgresUrl({ desc: 'PostgreSQL connection URL' }),
  REDIS_URL: redisUrl({ default: undefined, desc: 'Redis URL for presence and login throttling (rediss:// for TLS); in memory when unset' }),
  REDIS_CA_FILE: str({ default: undefined, desc: "CA (PEM) that signed the rediss:// server's certificate; Node's CAs when unset" }),
  REDIS_CLIENT_CERT_FILE: str({ default: undefined, desc: 'Client certificate (PEM) for a rediss:// server that asks for one' }),
  REDIS_CLIENT_KEY_FILE: str({ default: undefined, desc: 'Key (PEM) of REDIS_CLIENT_CERT_FILE' }),
  PLATFORM_JWT_SECRET: secret32({ desc: 'HS256 secret for platform JWTs: at least 32 characters and 128 bits, e.g. openssl rand -hex 32' }),
  PLATFORM_JWT_ACCEPTED_SECRET: secret32({
    default: undefined,
    desc: 'One more HS256 secret whose platform tokens are accepted but never issued (for rotating PLATFORM_JWT_SECRET without logging anyone out)',
  }),
  SECRETS_ENCRYPTION_KEY: secret32({
    default: undefined,
    desc: "Seals pushed TLS certificates' private keys at rest (AES-256-GCM): at least 32 characters and 128 bits, e.g. openssl rand -hex 32; unset, certificates cannot be stored",
  }),
  SECRETS_ENCRYPTION_ACCEPTED_KEY: secret32({
    default: undefined,
    desc: 'The previous SECRETS_ENCRYPTION_KEY during a rotation: still opens what it sealed, never seals',
  }),
  PORT: port({ default: 8080 }),
  METRICS_PORT: portOrZero({ default: 9090, desc: 'Port of the /metrics listener, never the API port; 0 = any free port' }),
  TLS_CERT_FILE: str({ default: undefined }),
  TLS_KEY_FILE: str({ default: undefined }),
  TRUSTED_PROXIES: commaList({ default: [] }),
  CORS_ALLOWED_ORIGINS: commaList({ default: [] }),
  SMTP_URL: url({ default: undefined }),
  MAIL_FROM: str({ default: 'NovaGate <no-reply@novagate.local>' }),
  PUBLIC_URL: url({ default: undefined, desc: 'Base URL that mails link to; its origin is the only one console cookie writes are accepted from' }),
  CONSOLE_SESSION_TTL_SECONDS: sessionSeconds({ default: DEFAULT_SESSION_TTL_SECONDS, desc: 'How long a web console session lives after sign-in (absolute, seconds)' }),
  MAIL_DIR: str({ default: '.dev/mail', desc: 'Where the development mailer writes messages when SMTP_URL is unset' }),
  MAX_CONFIG_BYTES: positiveInteger({ default: 16 * 1024 * 1024 }),
  HEADERS_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.headersTimeoutMs, desc: 'Longest time for a request to send its headers' }),
  BODY_IDLE_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.bodyIdleTimeoutMs, desc: 'Longest wait for the next byte of a request body' }),
  REQUEST_TIMEOUT_MS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.requestTimeoutMs, desc: 'Longest time to receive a whole request' }),
  MAX_CONNECTIONS: positiveInteger({ default: DEFAULT_CLIENT_LIMITS.maxConnections, desc: 'Open connections per process' }),
  DATABASE_POOL_MAX: poolSize({ default: 20, desc: 'PostgreSQL connections per process; each tenant may use a quarter of them at once' }),
  LOG_LEVEL: str({ default: 'info', choices: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] }),
};

export type ControlPlaneEnv = ReturnType<typeof loadControlPlaneEnv>;

/** Validates `source`; on failure calls `fail` with one line describing every problem. */
export function loadControlPlaneEnv(source: NodeJS.ProcessEnv, fail: (line: string) => never) {
  const env = cleanEnv(source, controlPlaneEnvSpec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, error]) =>
        error instanceof EnvMissingError ? `${name} is required` : `${name} ${error?.message ?? 'is invalid'}`,
      );
      if (problems.length > 0) fail(`control-plane: invalid environment: ${problems.join('; ')}`);
    },
  });
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
    fail('control-plane: invalid environment: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  const redisTlsFiles = (['REDIS_CA_FILE', 'REDIS_CLIENT_CERT_FILE', 'REDIS_CLIENT_KEY_FILE'] as const).filter((name) => env[name] !== undefined);
  if (redisTlsFiles.length > 0 && !env.REDIS_URL?.startsWith('rediss:')) {
    // A CA file beside a plaintext URL would read as "this connection is verified" while it is not.
    fail(`control-plane: invalid environment: ${redisTlsFiles.join(', ')} ${redisTlsFiles.length === 1 ? 'needs' : 'need'} a rediss:// REDIS_URL`);
  }
  if ((env.REDIS_CLIENT_CERT_FILE === undefined) !== (env.REDIS_CLIENT_KEY_FILE === undefined)) {
    fail('control-plane: invalid environment: REDIS_CLIENT_CERT_FILE and REDIS_CLIENT_KEY_FILE must be set together');
  }
  if (env.SECRETS_ENCRYPTION_ACCEPTED_KEY !== undefined && env.SECRETS_ENCRYPTION_KEY === undefined) {
    fail('control-plane: invalid environment: SECRETS_ENCRYPTION_ACCEPTED_KEY needs SECRETS_ENCRYPTION_KEY (the key that replaces it)');
  }
  const { limits: clientLimits, problem: limitsProblem } = clientLimitsFromEnv(env);
  if (limitsProblem !== undefined) fail(`control-plane: invalid environment: ${limitsProblem}`);
  if (env.METRICS_PORT === env.PORT) fail('control-plane: invalid environment: METRICS_PORT must differ from PORT (metrics stay off the API port)');
  return { ...env, clientLimits };
}
