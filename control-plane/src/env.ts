// The control plane's environment (DESIGN §8), validated with envalid. A missing or bad value stops the
// process with one line naming every offending variable.
import { cleanEnv, makeValidator, num, port, str, url, EnvError, EnvMissingError } from 'envalid';

const secret32 = makeValidator<string>((value) => {
  if (value.length < 32) throw new EnvError('must be at least 32 characters');
  return value;
});

const commaList = makeValidator<string[]>((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

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
  REDIS_URL: url({ default: undefined, desc: 'Redis URL for presence and login throttling; in memory when unset' }),
  PLATFORM_JWT_SECRET: secret32({ desc: 'HS256 secret for platform JWTs, at least 32 characters' }),
  PLATFORM_JWT_ACCEPTED_SECRET: secret32({
    default: undefined,
    desc: 'One more HS256 secret whose platform tokens are accepted but never issued (for rotating PLATFORM_JWT_SECRET without logging anyone out)',
  }),
  PORT: port({ default: 8080 }),
  TLS_CERT_FILE: str({ default: undefined }),
  TLS_KEY_FILE: str({ default: undefined }),
  TRUSTED_PROXIES: commaList({ default: [] }),
  CORS_ALLOWED_ORIGINS: commaList({ default: [] }),
  SMTP_URL: url({ default: undefined }),
  MAIL_FROM: str({ default: 'NovaGate <no-reply@novagate.local>' }),
  PUBLIC_URL: url({ default: undefined, desc: 'Base URL that reset mails link to' }),
  MAIL_DIR: str({ default: '.dev/mail', desc: 'Where the development mailer writes messages when SMTP_URL is unset' }),
  MAX_CONFIG_BYTES: num({ default: 16 * 1024 * 1024 }),
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
  return env;
}
