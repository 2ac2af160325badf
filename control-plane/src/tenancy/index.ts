// What other programs (the operator) use of tenancy: one implementation of provisioning, not two.
export { provisionTenant, deprovisionTenant, createApiKey, type NewTenant, type ProvisionedTenant, type StoredApiKey } from './provision.js';
export { tenantSchemaName, quotedTenantSchema, isUuid } from './schema-name.js';
export { findTenantById, type Tenant } from './tenants.js';
export { generateApiKey, sha256Hex } from '../auth/api-keys.js';
export { tenantIdOfApiKey } from '@novagate/gateway/protocol';
export { lockTenantForConfigChange, recordConfigVersion, latestConfigVersion, CONFIG_CHANNEL } from '../config/versions.js';
export { migrate } from '../db/migrate.js';
export { createPool, withTransaction } from '../db/pool.js';
export { withTenantTransaction, inTenantTransaction, UnknownTenantError } from './tenant-transaction.js';
// The operator writes services, routes and consumers through the admin API's own entity functions.
export {
  services as serviceEntities,
  routes as routeEntities,
  consumers as consumerEntities,
  OPERATOR_NAME_PREFIX,
  type EntityKind,
} from '../admin-api/entities.js';
export { assertWithinPlan } from '../admin-api/entity-router.js';
export { KEY_REVOKED_CHANNEL } from '../admin-api/api-keys-router.js';
export { ApiError } from '../http/errors.js';
export type { ServiceRow, RouteRow, ConsumerRow } from '../config/snapshot.js';
export { serviceConfigOf, routeConfigOf, consumerConfigOf } from '../config/snapshot.js';
