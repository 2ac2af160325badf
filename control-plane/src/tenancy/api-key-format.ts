// Gateway API keys `gw_<tenantId>_<32 hex>` (DESIGN §3, §6): generated from a CSPRNG, stored only as SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import { isUuid } from './schema-name.js';

const API_KEY_PATTERN = /^gw_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([0-9a-f]{32})$/;

export interface GeneratedApiKey {
  plaintext: string;
  hash: string;
  /** What lists show to tell keys apart: `gw_<tenantId>_` and the first 4 random hex digits. */
  prefix: string;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateApiKey(tenantId: string): GeneratedApiKey {
  if (!isUuid(tenantId)) throw new TypeError('tenant id must be a UUID');
  const secret = randomBytes(16).toString('hex');
  const plaintext = `gw_${tenantId}_${secret}`;
  return { plaintext, hash: sha256Hex(plaintext), prefix: `gw_${tenantId}_${secret.slice(0, 4)}` };
}

/** The tenant id a well-formed key names, or null for anything that is not a gateway key. */
export function tenantIdOfApiKey(key: string): string | null {
  const match = API_KEY_PATTERN.exec(key);
  return match === null ? null : (match[1] as string);
}
