// Public entry of the gateway config module, imported by the control plane and the operator.
export * from './schema.js';
export * from './validate.js';
export * from './hash.js';
export { gatewaySlice, type SliceableConfig } from './gateway-slice.js';
export { privateKeyFingerprint, privateKeyPemFingerprint } from './certificate-pem.js';
export { MAX_REGEX_PATHS_PER_CONFIG } from '../routing/path-match.js';
