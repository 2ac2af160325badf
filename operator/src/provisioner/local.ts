// The local provisioner (development and the conformance run, DESIGN §11): one gateway process per Gateway on its
// own loopback address (LISTEN_ADDRESS=127.0.10.x), so several Gateways can all listen on port 80 as in a cluster.
// The process serves only its Gateway's listeners (GATEWAY_NAME), logs to <logDir>/<namespace>_<name>.log, is
// restarted when its key changes or when it dies, and dies with the operator.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../telemetry/logger.js';
import { LoopbackAddresses } from './loopback-addresses.js';
import { gatewayKey, type GatewayProvisioner, type ProvisionedGateway } from './provisioner.js';

export interface LocalProvisionerOptions {
  /** The control plane's gateway WebSocket URL (wss://, or ws:// with allowInsecureControlPlane). */
  controlPlaneUrl: string;
  /** CONTROL_PLANE_CA_FILE for the gateway processes. */
  controlPlaneCaFile?: string;
  allowInsecureControlPlane?: boolean;
  /** Where each process's stdout and stderr go, one file per Gateway. */
  logDir: string;
  log: Logger;
  /** The gateway's entry (dist/main.js of @novagate/gateway unless given). */
  gatewayMain?: string;
  /** node arguments before the entry (e.g. ['--import', 'tsx'] for main.ts). */
  nodeArguments?: string[];
  /** More environment for every gateway process (LOG_LEVEL, REDIS_URL …). */
  env?: Record<string, string>;
  /** How long a stopping process gets between SIGTERM and SIGKILL. */
  stopTimeoutMs?: number;
  /** Wait before restarting a process that exited on its own; doubles up to 30 s while it keeps dying within 10 s. */
  restartDelayMs?: number;
}

const HEALTHY_RUN_MS = 10_000;

interface RunningGateway {
  gatewayName: string;
  address: string;
  apiKey: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  stopping: boolean;
  restartTimer?: NodeJS.Timeout;
  failures: number;
}

export interface LocalProvisioner extends GatewayProvisioner {
  /** The process serving a Gateway (`<namespace>/<name>`), for tests and diagnostics. */
  processOf(gatewayName: string): { pid: number | undefined; address: string; logFile: string } | undefined;
  /** Stops every process (operator shutdown). */
  stopAll(): Promise<void>;
}

/** dist/main.js of the gateway workspace, found through an export of the package. */
export function defaultGatewayMain(): string {
  return fileURLToPath(new URL('../main.js', import.meta.resolve('@novagate/gateway/config')));
}

export function createLocalProvisioner(options: LocalProvisionerOptions): LocalProvisioner {
  const addresses = new LoopbackAddresses();
  const running = new Map<string, RunningGateway>();
  const main = options.gatewayMain ?? defaultGatewayMain();
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  const baseRestartDelayMs = options.restartDelayMs ?? 1_000;
  mkdirSync(options.logDir, { recursive: true });
  const logFileOf = (name: string) => join(options.logDir, `${name.replace('/', '_')}.log`);

  // No orphans: whatever way the operator exits, its gateway processes go with it.
  const killAll = () => {
    for (const gateway of running.values()) if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
  };
  process.on('exit', killAll);

  function start(name: string, gatewayName: string, address: string, apiKey: string, failures: number): RunningGateway {
    const out = openSync(logFileOf(name), 'a');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...options.env,
      GATEWAY_NAME: gatewayName,
      CONTROL_PLANE_URL: options.controlPlaneUrl,
      GATEWAY_API_KEY: apiKey,
      LISTEN_ADDRESS: address,
      // Every process answers metrics on a port of its own (the gateway's default 9100 would collide).
      METRICS_PORT: '0',
      NODE_ID: `local-${name.replace('/', '-')}`,
    };
    if (options.controlPlaneCaFile !== undefined) env.CONTROL_PLANE_CA_FILE = options.controlPlaneCaFile;
    if (options.allowInsecureControlPlane === true) env.ALLOW_INSECURE_CONTROL_PLANE = 'true';
    const child = spawn(process.execPath, [...(options.nodeArguments ?? []), main], { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const gateway: RunningGateway = { gatewayName, address, apiKey, child, exited: once(child, 'exit').catch(() => undefined), stopping: false, failures };
    child.on('error', (error) => options.log.error('local gateway process failed to start', { gateway: name, error: error.message }));
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      if (gateway.stopping || running.get(name) !== gateway) return;
      // A process that ran a while before dying starts the back-off afresh.
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) gateway.failures = 0;
      const delay = Math.min(baseRestartDelayMs * 2 ** gateway.failures, 30_000);
      options.log.warn('local gateway process exited; restarting', { gateway: name, code, signal, delayMs: delay, logFile: logFileOf(name) });
      gateway.restartTimer = setTimeout(() => {
        if (running.get(name) === gateway) running.set(name, start(name, gateway.gatewayName, address, gateway.apiKey, gateway.failures + 1));
      }, delay);
    });
    options.log.info('local gateway process started', { gateway: name, address, pid: child.pid, logFile: logFileOf(name) });
    return gateway;
  }

  async function stop(gateway: RunningGateway): Promise<void> {
    gateway.stopping = true;
    clearTimeout(gateway.restartTimer);
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
    const killer = setTimeout(() => gateway.child.kill('SIGKILL'), stopTimeoutMs);
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    clearTimeout(killer);
  }

  return {
    async ensure(gateway: ProvisionedGateway, { apiKey, gatewayName }) {
      const name = gatewayKey(gateway);
      const address = addresses.allocate(name);
      const current = running.get(name);
      if (current !== undefined && (current.apiKey !== apiKey || current.gatewayName !== gatewayName)) {
        options.log.info('gateway key changed; restarting the local gateway process', { gateway: name });
        running.delete(name);
        await stop(current);
      }
      if (!running.has(name)) running.set(name, start(name, gatewayName, address, apiKey, 0));
      return { addresses: [{ type: 'IPAddress', value: address }] };
    },
    async release(gateway: ProvisionedGateway) {
      const name = gatewayKey(gateway);
      const current = running.get(name);
      running.delete(name);
      if (current !== undefined) await stop(current);
      addresses.release(name);
      if (current !== undefined) options.log.info('local gateway process stopped', { gateway: name });
    },
    processOf(gatewayName: string) {
      const current = running.get(gatewayName);
      return current === undefined ? undefined : { pid: current.child.pid, address: current.address, logFile: logFileOf(gatewayName) };
    },
    async stopAll() {
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map(stop));
      process.off('exit', killAll);
    },
  };
}
