// Gateway API keys `gw_<tenantId>_<32 hex>` (DESIGN §3, §6): the format both sides check, a key of that format,
// and the tenant a key names.

/** A gateway API key; the first group is the tenant id (a lowercase UUID). */
export const GATEWAY_API_KEY_PATTERN = /^gw_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([0-9a-f]{32})$/;

/** The key of `tenantId` with the secret `secretHex` (32 lowercase hex digits for a well-formed key). */
export function formatApiKey(tenantId: string, secretHex: string): string {
  return `gw_${tenantId}_${secretHex}`;
}

/** The tenant id a well-formed key names, or null for anything that is not a gateway key. */
export function tenantIdOfApiKey(key: string): string | null {
  const match = GATEWAY_API_KEY_PATTERN.exec(key);
  return match === null ? null : (match[1] as string);
}
