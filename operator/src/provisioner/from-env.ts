// GATEWAY_PROVISIONER and its settings (operator/src/env.ts) → the provisioner the Gateway controller uses, and
// how to stop it at shutdown (the local one's processes go with the operator).
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { OperatorEnv } from '../env.js';
import type { Logger } from '../telemetry/logger.js';
import { createClusterProvisioner } from './cluster.js';
import { createLocalProvisioner } from './local.js';
import { noProvisioner, type GatewayProvisioner } from './provisioner.js';

export interface ConfiguredProvisioner {
  provisioner: GatewayProvisioner;
  stop(): Promise<void>;
}

type ProvisionerEnv = Pick<
  OperatorEnv,
  | 'GATEWAY_PROVISIONER'
  | 'GATEWAY_CONTROL_PLANE_URL'
  | 'GATEWAY_CONTROL_PLANE_CA_FILE'
  | 'GATEWAY_IMAGE'
  | 'GATEWAY_REPLICAS'
  | 'GATEWAY_SERVICE_TYPE'
  | 'GATEWAY_RESOURCES'
  | 'GATEWAY_IMAGE_PULL_POLICY'
  | 'LOCAL_GATEWAY_LOG_DIR'
  | 'LOG_LEVEL'
>;

/** Throws with a message naming the variable when a file it names cannot be read. */
export function provisionerFromEnv(env: ProvisionerEnv, kubeConfig: KubeConfig, log: Logger): ConfiguredProvisioner {
  if (env.GATEWAY_PROVISIONER === 'local') {
    const local = createLocalProvisioner({
      controlPlaneUrl: env.GATEWAY_CONTROL_PLANE_URL,
      controlPlaneCaFile: env.GATEWAY_CONTROL_PLANE_CA_FILE === '' ? undefined : env.GATEWAY_CONTROL_PLANE_CA_FILE,
      allowInsecureControlPlane: env.GATEWAY_CONTROL_PLANE_URL.startsWith('ws://'),
      logDir: env.LOCAL_GATEWAY_LOG_DIR === '' ? join(tmpdir(), 'novagate-gateways') : env.LOCAL_GATEWAY_LOG_DIR,
      log,
      env: { LOG_LEVEL: env.LOG_LEVEL },
    });
    return { provisioner: local, stop: () => local.stopAll() };
  }
  if (env.GATEWAY_PROVISIONER === 'cluster') {
    let caPem: string | undefined;
    if (env.GATEWAY_CONTROL_PLANE_CA_FILE !== '') {
      try {
        caPem = readFileSync(env.GATEWAY_CONTROL_PLANE_CA_FILE, 'utf8');
      } catch (error) {
        throw new Error(`GATEWAY_CONTROL_PLANE_CA_FILE cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
    const provisioner = createClusterProvisioner({
      kubeConfig,
      controlPlaneUrl: env.GATEWAY_CONTROL_PLANE_URL,
      controlPlaneCaPem: caPem,
      defaults: {
        image: env.GATEWAY_IMAGE,
        replicas: env.GATEWAY_REPLICAS,
        serviceType: env.GATEWAY_SERVICE_TYPE,
        resources: env.GATEWAY_RESOURCES,
        imagePullPolicy: env.GATEWAY_IMAGE_PULL_POLICY === '' ? undefined : env.GATEWAY_IMAGE_PULL_POLICY,
        logLevel: env.LOG_LEVEL,
      },
    });
    return { provisioner, stop: () => Promise.resolve() };
  }
  return { provisioner: noProvisioner, stop: () => Promise.resolve() };
}
