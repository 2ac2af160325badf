// NovaGate inside the conformance run, as in a cluster: a control plane (its gateway hub on a loopback port) and
// the operator against the run's API server (admin credentials), both on a fresh database (TEST_DATABASE_URL),
// with the local provisioner: one gateway process per Gateway on its own 127.0.10.x address, binding the
// listeners' own ports (80, 443), which needs root or CAP_NET_BIND_SERVICE. Without a reachable database the run
// goes on without NovaGate and says so: every check that needs a controller then fails.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createTestDatabase } from '@novagate/control-plane/testing/database';
import { startTestServer, TEST_SECRETS_ENCRYPTION_KEY } from '@novagate/control-plane/testing/server';
import { createLogger, startOperator } from '@novagate/operator';
import { createLocalProvisioner } from '@novagate/operator/provisioner';

export interface RunningOperator {
  /** The last lines of every gateway process's log (for a failed test's reason). */
  gatewayLogs(maxCharsEach?: number): string;
  stop(): Promise<void>;
}

export async function startNovaGateOperator(kubeconfigPath: string, log: (line: string) => void): Promise<RunningOperator | null> {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  try {
    database = await createTestDatabase();
  } catch (error) {
    log(`NovaGate not started: no database (${error instanceof Error ? error.message : String(error)}); set TEST_DATABASE_URL`);
    return null;
  }
  const stops: (() => Promise<void>)[] = [async () => database.drop()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
  };
  try {
    const controlPlane = await startTestServer({ db: database });
    stops.push(async () => controlPlane.close());
    const logDir = mkdtempSync(join(tmpdir(), 'novagate-conformance-gateways-'));
    const operatorLog = createLogger((process.env.CONFORMANCE_OPERATOR_LOG_LEVEL ?? 'warn') as 'warn', (line) => log(`operator: ${line}`));
    const provisioner = createLocalProvisioner({
      controlPlaneUrl: controlPlane.url.replace(/^http/, 'ws'),
      allowInsecureControlPlane: true,
      logDir,
      log: operatorLog,
      env: { LOG_LEVEL: process.env.CONFORMANCE_GATEWAY_LOG_LEVEL ?? 'warn' },
      restartDelayMs: 200,
      stopTimeoutMs: 5_000,
    });
    stops.push(async () => provisioner.stopAll());
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const operator = await startOperator({
      kubeConfig,
      pool: database.pool,
      log: operatorLog,
      leaderElection: null,
      metricsPort: null,
      provisioner,
      bindPrivilegedPorts: true,
      secretsEncryptionKey: TEST_SECRETS_ENCRYPTION_KEY,
    });
    stops.push(async () => operator.stop());
    log(`NovaGate reconciling: control plane ${controlPlane.url}, operator with the local provisioner (gateway logs in ${logDir})`);
    return {
      gatewayLogs(maxCharsEach = 1_500) {
        return readdirSync(logDir)
          .map((file) => `${file}: ${readFileSync(join(logDir, file), 'utf8').slice(-maxCharsEach)}`)
          .join('\n');
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
