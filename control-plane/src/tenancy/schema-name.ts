// Tenant schema names (DESIGN §2): built only from a validated UUID and always quoted as an identifier.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** `tenant_<uuid with underscores>` for a tenant id; throws on anything that is not a lower-case UUID. */
export function tenantSchemaName(tenantId: string): string {
  if (!isUuid(tenantId)) throw new TypeError('tenant id must be a lower-case UUID');
  return `tenant_${tenantId.replaceAll('-', '_')}`;
}

/**
 * A UUID as a SQL literal, for the few statements sent without parameters (one round trip as a tenant: see
 * tenant-transaction.ts); throws on anything that is not a lower-case UUID, so nothing else can be spliced.
 */
export function uuidLiteral(value: string): string {
  if (!isUuid(value)) throw new TypeError('value must be a lower-case UUID');
  return `'${value}'`;
}

/** The schema name quoted as a SQL identifier, ready to splice into a statement. */
export function quotedTenantSchema(tenantId: string): string {
  return `"${tenantSchemaName(tenantId)}"`;
}
