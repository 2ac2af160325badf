// The operator's environment (DESIGN §8), validated with envalid: a missing or bad value stops the process with
// one line naming every offending variable.
import { bool, cleanEnv, makeValidator, port, str, EnvError, EnvMissingError } from 'envalid';

const postgresUrl = makeValidator<string>((value) => {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new EnvError('must be a postgres:// URL');
  return value;
});

const namespaceName = makeValidator<string>((value) => {
  if (value !== '' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) throw new EnvError('must be a namespace name or empty');
  return value;
});

export const operatorEnvSpec = {
  DATABASE_URL: postgresUrl({ desc: 'PostgreSQL connection URL (the control plane database)' }),
  WATCH_NAMESPACE: namespaceName({ default: '', desc: 'Namespace to watch; empty watches every namespace' }),
  LEADER_ELECTION: bool({ default: true, desc: 'Elect one active replica with a Lease' }),
  POD_NAMESPACE: namespaceName({ default: '', desc: 'Namespace of the leader Lease (downward API); WATCH_NAMESPACE or default when empty' }),
  METRICS_PORT: port({ default: 8081 }),
  LOG_LEVEL: str({ default: 'info', choices: ['error', 'warn', 'info', 'debug'] as const }),
  SECRETS_ENCRYPTION_KEY: str({
    default: undefined,
    desc: "The control plane's SECRETS_ENCRYPTION_KEY: seals the keys of Gateway HTTPS listeners' certificates; unset, HTTPS listeners are not programmed",
  }),
  GATEWAY_BIND_PRIVILEGED_PORTS: bool({
    default: false,
    desc: 'The provisioner\'s gateway processes bind Gateway listener ports below 1024 themselves; false: they bind port + 10000 (bindPort)',
  }),
};

export type OperatorEnv = ReturnType<typeof loadOperatorEnv>;

export function loadOperatorEnv(source: NodeJS.ProcessEnv, fail: (line: string) => never) {
  return cleanEnv(source, operatorEnvSpec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, error]) =>
        error instanceof EnvMissingError ? `${name} is required` : `${name} ${error?.message ?? 'is invalid'}`,
      );
      if (problems.length > 0) fail(`operator: invalid environment: ${problems.join('; ')}`);
    },
  });
}
