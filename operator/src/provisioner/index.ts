// The data-plane provisioners (DESIGN §11), for the operator and for tests that run one on its own.
export { noProvisioner, gatewayKey, ProvisionRefusedError, type GatewayAddress, type GatewayProvisioner, type ProvisionedGateway } from './provisioner.js';
export { createLocalProvisioner, defaultGatewayMain, type LocalProvisioner, type LocalProvisionerOptions } from './local.js';
export { LoopbackAddresses, loopbackAddress } from './loopback-addresses.js';
export { createClusterProvisioner, InvalidParametersError, ownedObjectUid, FIELD_MANAGER, type ClusterProvisionerOptions } from './cluster.js';
export * from './cluster-objects.js';
export { provisionerFromEnv, type ConfiguredProvisioner } from './from-env.js';
