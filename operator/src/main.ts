// The operator process: reads the environment, connects to PostgreSQL and Kubernetes (KUBECONFIG or the
// in-cluster service account), migrates, and runs until SIGTERM, which releases the leader Lease.
import { KubeConfig } from '@kubernetes/client-node';
import { createPool, migrate } from '@novagate/control-plane/tenancy';
import { loadOperatorEnv } from './env.js';
import { createLogger, startOperator } from './operator.js';
import { provisionerFromEnv, type ConfiguredProvisioner } from './provisioner/from-env.js';

const env = loadOperatorEnv(process.env, (line) => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
});
const log = createLogger(env.LOG_LEVEL);
/** Start-up failures end the process with one clear line, never a stack trace. */
function startupFailed(step: string) {
  return (error: unknown): never => {
    process.stderr.write(`operator: ${step}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
}
const pool = createPool(env.DATABASE_URL, 10);
await migrate(pool).catch(startupFailed('could not migrate the database'));
const kubeConfig = new KubeConfig();
try {
  kubeConfig.loadFromDefault();
} catch (error) {
  startupFailed('could not load a kubeconfig')(error);
}

// Gateway data planes (GATEWAY_PROVISIONER); local gateway processes are stopped with the operator.
const gatewayDataPlanes: ConfiguredProvisioner = (() => {
  try {
    return provisionerFromEnv(env, kubeConfig, log);
  } catch (error) {
    return startupFailed('invalid environment')(error);
  }
})();

const operator = await startOperator({
  kubeConfig,
  pool,
  log,
  watchNamespace: env.WATCH_NAMESPACE,
  leaderElection: env.LEADER_ELECTION ? { namespace: env.POD_NAMESPACE || env.WATCH_NAMESPACE || 'default' } : null,
  metricsPort: env.METRICS_PORT,
  bindPrivilegedPorts: env.GATEWAY_BIND_PRIVILEGED_PORTS,
  ...(env.SECRETS_ENCRYPTION_KEY === undefined ? {} : { secretsEncryptionKey: env.SECRETS_ENCRYPTION_KEY }),
  defaultMetrics: true,
  provisioner: gatewayDataPlanes.provisioner,
  onLostLeadership: () => {
    // Another replica may already be reconciling: stop at once rather than race it.
    log.error('lost leadership; exiting');
    process.exit(1);
  },
}).catch(startupFailed('could not start'));
log.info('operator started', { identity: operator.identity, metricsPort: operator.healthPort });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    void operator
      .stop({ releaseLease: true })
      .then(() => gatewayDataPlanes.stop())
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}
