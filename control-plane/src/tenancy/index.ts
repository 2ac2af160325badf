// What other programs (the operator, e2e) use of tenancy, the control plane's data layer: one implementation of
// provisioning, config writes and key revocation, not two.
export { provisionTenant, type NewTenant, type ProvisionedTenant } from './provision.js';
export { createApiKey, bindApiKey, revokeApiKeys, apiKeyState, type ApiKeySelection, type StoredApiKey, type StoredKeyState } from './api-keys.js';
export { generateApiKey, apiKeyFromPlaintext, sha256Hex } from './api-key-format.js';
export { tenantIdOfApiKey } from '@novagate/gateway/protocol';
export { tenantSchemaName, quotedTenantSchema, isUuid } from './schema-name.js';
export { findTenantById, type Tenant } from './tenants.js';
export {
  findTenantByKubernetesUid,
  tenantIdByKubernetesUid,
  adoptRetainedTenant,
  provisionKubernetesTenant,
  updateKubernetesTenant,
  releaseKubernetesTenant,
  type KubernetesTenant,
} from './kubernetes-tenants.js';
export { lockTenantForConfigChange, recordConfigVersion, latestConfigVersion, newestConfigVersionNumber } from './config-versions.js';
export { withTenantTransaction, inTenantTransaction, UnknownTenantError } from './tenant-transaction.js';
export {
  services as serviceEntities,
  routes as routeEntities,
  consumers as consumerEntities,
  listeners as listenerEntities,
  deleteEntities,
  OPERATOR_NAME_PREFIX,
  GATEWAY_API_NAME_PREFIX,
  isOperatorName,
  type AnyEntityKind,
  type EntityKind,
} from './entities.js';
export { readManagedEntities, findManagedConfig } from './managed-entities.js';
export { gatewayNodesSeenWithin, type GatewayNodeState } from './gateway-nodes.js';
export { assertWithinPlan } from './plan-limits.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
// db/ lies below tenancy; the operator reaches it through here.
export { migrate } from '../db/migrate.js';
export { createPool, withTransaction, inSavepoint, ping } from '../db/pool.js';
export {
  certificateRecord,
  insertCertificate,
  updateCertificateRow,
  deleteCertificates,
  readManagedCertificates,
  type CertificateRecord,
  type ManagedCertificate,
} from './certificates.js';
export { createSecretBox, type SecretBox } from './secret-box.js';
