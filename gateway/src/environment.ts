// The gateway's environment, read and validated once at start-up (the only module that reads it): a bad value stops
// the process with one line naming the variable. main.ts reads it before the servers' modules load.
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bool, cleanEnv, makeValidator, num, str, EnvError, EnvMissingError } from 'envalid';
import { GATEWAY_API_KEY_PATTERN, tenantIdOfApiKey } from './protocol/index.js';
import type { RespTlsOptions } from './redis/resp-client.js';
import { parseTrustedProxies } from './server/client-address.js';
import { clientLimitsFromEnv, DEFAULT_CLIENT_LIMITS } from './server/client-limits.js';
import { secretWeakness } from './settings/secret-strength.js';
import { deriveConfigCacheKey } from './sync/config-cache-seal.js';
import { nodeIdProblem } from './sync/node-id.js';
import { LOG_LEVELS } from './telemetry/logger.js';

const STANDALONE_TENANT = 'default';
export const SOFTWARE_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

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

export function loadEnvironment(environment: NodeJS.ProcessEnv) {
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

export type Environment = ReturnType<typeof loadEnvironment>;

export function fatal(message: string): never {
  process.stderr.write(`novagate gateway: ${message}\n`);
  process.exit(1);
}
