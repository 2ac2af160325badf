// How the Gateway controller gets a data plane for a Gateway (DESIGN §11): a provisioner starts one (a local
// process, or a Deployment and a Service in the cluster) and tells the addresses it answers on.
import { gatewayOwner } from '../gateway-api/names.js';

/** The Gateway fields a provisioner reads (a structural subset of the Gateway API Gateway). */
export interface ProvisionedGateway {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string };
  spec: {
    gatewayClassName?: string;
    listeners: { name: string; port: number; protocol: string; hostname?: string }[];
    infrastructure?: { parametersRef?: { group: string; kind: string; name: string } };
  };
}

/**
 * A data plane the provisioner refuses to make or change, in words for the Gateway's status (Programmed=False):
 * its GatewayParameters cannot be used, or an object of its name exists that the Gateway does not own.
 */
export class ProvisionRefusedError extends Error {}

export interface GatewayAddress {
  type: 'IPAddress' | 'Hostname';
  value: string;
}

export interface GatewayProvisioner {
  /** Starts or updates the Gateway's data plane (idempotent) and returns the addresses it answers on so far. */
  ensure(gateway: ProvisionedGateway, options: { apiKey: string; gatewayName: string }): Promise<{ addresses: GatewayAddress[] }>;
  /** Stops the Gateway's data plane. */
  release(gateway: ProvisionedGateway): Promise<void>;
}

/** GATEWAY_PROVISIONER=none: Gateways get no data plane and no addresses (an outside process serves them). */
export const noProvisioner: GatewayProvisioner = {
  ensure: () => Promise.resolve({ addresses: [] }),
  release: () => Promise.resolve(),
};

/** `<namespace>/<name>`, the gateway process's GATEWAY_NAME. */
export function gatewayKey(gateway: ProvisionedGateway): string {
  return gatewayOwner(gateway.metadata.namespace ?? 'default', gateway.metadata.name);
}
