// The NovaGate operator inside the conformance run, as in a cluster: against the run's API server (admin
// credentials), with a fresh database (TEST_DATABASE_URL), reconciling the class's Tenant and GatewayClass. Without
// a reachable database the run goes on without it and says so: every check that needs a controller then fails.
import { KubeConfig } from '@kubernetes/client-node';
import { createTestDatabase } from '@novagate/control-plane/testing/database';
import { createLogger, startOperator } from '@novagate/operator';

export interface RunningOperator {
  stop(): Promise<void>;
}

export async function startNovaGateOperator(kubeconfigPath: string, log: (line: string) => void): Promise<RunningOperator | null> {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  try {
    database = await createTestDatabase();
  } catch (error) {
    log(`operator not started: no database (${error instanceof Error ? error.message : String(error)}); set TEST_DATABASE_URL`);
    return null;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  try {
    const operator = await startOperator({
      kubeConfig,
      pool: database.pool,
      log: createLogger('warn', (line) => log(`operator: ${line}`)),
      leaderElection: null,
      metricsPort: null,
    });
    log('NovaGate operator reconciling (GatewayClass controller; no Gateway or HTTPRoute controller exists yet)');
    return {
      async stop() {
        await operator.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
