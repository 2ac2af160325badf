// The operator's environment (DESIGN §8), validated with envalid: a missing or bad value stops the process with
// one line naming every offending variable.
import { bool, cleanEnv, json, makeValidator, num, port, str, EnvError, EnvMissingError } from 'envalid';

const postgresUrl = makeValidator<string>((value) => {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new EnvError('must be a postgres:// URL');
  return value;
});

const namespaceName = makeValidator<string>((value) => {
  if (value !== '' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) throw new EnvError('must be a namespace name or empty');
  return value;
});

const gatewayControlPlaneUrl = makeValidator<string>((value) => {
  if (value !== '' && !/^wss?:\/\/[^\s/]+/.test(value)) throw new EnvError('must be the control plane\'s wss:// (or ws://) URL as the gateways reach it');
  return value;
});

/** The chart's gateway.resources default. */
const DEFAULT_GATEWAY_RESOURCES = { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } };

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
  // Gateway API data planes (DESIGN §11).
  GATEWAY_PROVISIONER: str({ default: 'none', choices: ['cluster', 'local', 'none'] as const, desc: 'How Gateways get a data plane: a Deployment and Service each (cluster), a local process each (local), or none' }),
  GATEWAY_CONTROL_PLANE_URL: gatewayControlPlaneUrl({ default: '', desc: 'The control plane URL the provisioned gateways connect to (required with cluster and local)' }),
  GATEWAY_CONTROL_PLANE_CA_FILE: str({ default: '', desc: 'PEM of the CA the provisioned gateways trust for the control plane; empty: the system roots' }),
  GATEWAY_IMAGE: str({ default: '', desc: 'The gateway image of provisioned Deployments (required with cluster), unless GatewayParameters says otherwise' }),
  GATEWAY_REPLICAS: num({ default: 1, desc: 'Replicas of each provisioned Deployment, unless GatewayParameters says otherwise' }),
  GATEWAY_SERVICE_TYPE: str({ default: 'ClusterIP', choices: ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, desc: 'Type of each provisioned Service, unless GatewayParameters says otherwise' }),
  GATEWAY_RESOURCES: json<{ requests?: Record<string, string | number>; limits?: Record<string, string | number> }>({ default: DEFAULT_GATEWAY_RESOURCES, desc: 'Resources (JSON) of each provisioned gateway container, unless GatewayParameters says otherwise' }),
  GATEWAY_IMAGE_PULL_POLICY: str({ default: '', choices: ['', 'Always', 'IfNotPresent', 'Never'] as const, desc: 'imagePullPolicy of provisioned gateway containers; empty: the cluster default' }),
  LOCAL_GATEWAY_LOG_DIR: str({ default: '', desc: 'Where local gateway processes log (one file per Gateway); empty: <tmpdir>/novagate-gateways' }),
};

/** What GATEWAY_PROVISIONER needs beside it, as problems naming the variable. */
export function provisionerProblems(env: {
  GATEWAY_PROVISIONER: string;
  GATEWAY_CONTROL_PLANE_URL: string;
  GATEWAY_IMAGE: string;
  GATEWAY_REPLICAS: number;
  GATEWAY_BIND_PRIVILEGED_PORTS: boolean;
}): string[] {
  const problems: string[] = [];
  if (env.GATEWAY_PROVISIONER === 'none') return problems;
  // The provisioned pods run as non-root and their Services target port + 10000: they cannot bind port 80 itself.
  if (env.GATEWAY_PROVISIONER === 'cluster' && env.GATEWAY_BIND_PRIVILEGED_PORTS) {
    problems.push('GATEWAY_BIND_PRIVILEGED_PORTS=true cannot work with GATEWAY_PROVISIONER=cluster (non-root pods; the Service maps ports below 1024 to port + 10000): unset it');
  }
  if (env.GATEWAY_CONTROL_PLANE_URL === '') problems.push(`GATEWAY_CONTROL_PLANE_URL is required with GATEWAY_PROVISIONER=${env.GATEWAY_PROVISIONER}`);
  if (env.GATEWAY_PROVISIONER === 'cluster' && env.GATEWAY_IMAGE === '') problems.push('GATEWAY_IMAGE is required with GATEWAY_PROVISIONER=cluster');
  if (!Number.isInteger(env.GATEWAY_REPLICAS) || env.GATEWAY_REPLICAS < 0 || env.GATEWAY_REPLICAS > 100) problems.push('GATEWAY_REPLICAS must be an integer from 0 to 100');
  return problems;
}

export type OperatorEnv = ReturnType<typeof loadOperatorEnv>;

export function loadOperatorEnv(source: NodeJS.ProcessEnv, fail: (line: string) => never) {
  const env = cleanEnv(source, operatorEnvSpec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, error]) =>
        error instanceof EnvMissingError ? `${name} is required` : `${name} ${error?.message ?? 'is invalid'}`,
      );
      if (problems.length > 0) fail(`operator: invalid environment: ${problems.join('; ')}`);
    },
  });
  const problems = provisionerProblems(env);
  if (problems.length > 0) fail(`operator: invalid environment: ${problems.join('; ')}`);
  return env;
}
