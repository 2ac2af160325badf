// What other programs (the operator) use of tenancy: one implementation of provisioning, not two.
export { provisionTenant, createApiKey, type NewTenant, type ProvisionedTenant, type StoredApiKey } from './provision.js';
export { tenantSchemaName, quotedTenantSchema, isUuid } from './schema-name.js';
export { findTenantById, type Tenant } from './tenants.js';
export { generateApiKey, sha256Hex, tenantIdOfApiKey } from '../auth/api-keys.js';
export { lockTenantForConfigChange, recordConfigVersion, latestConfigVersion, CONFIG_CHANNEL } from '../config/versions.js';
export { migrate } from '../db/migrate.js';
export { createPool, withTransaction } from '../db/pool.js';
