// Gateway API keys `gw_<tenantId>_<32 hex>` (DESIGN §3, §6): generated from a CSPRNG, stored only as SHA-256
// (the format and the tenant id it names are the gateway protocol's: @novagate/gateway/protocol).
import { createHash, randomBytes } from 'node:crypto';
import { formatApiKey } from '@novagate/gateway/protocol';
import { isUuid } from './schema-name.js';

export interface GeneratedApiKey {
  plaintext: string;
  hash: string;
  /** What lists show to tell keys apart: `gw_<tenantId>_` and the first 4 random hex digits. */
  prefix: string;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function keyPrefix(tenantId: string, secret: string): string {
  return formatApiKey(tenantId, secret.slice(0, 4));
}

export function generateApiKey(tenantId: string): GeneratedApiKey {
  if (!isUuid(tenantId)) throw new TypeError('tenant id must be a UUID');
  const secret = randomBytes(16).toString('hex');
  const plaintext = formatApiKey(tenantId, secret);
  return { plaintext, hash: sha256Hex(plaintext), prefix: keyPrefix(tenantId, secret) };
}

/** The stored form of a key of the tenant that exists already (one a Kubernetes Secret holds), never a new one. */
export function apiKeyFromPlaintext(tenantId: string, plaintext: string): GeneratedApiKey {
  return { plaintext, hash: sha256Hex(plaintext), prefix: keyPrefix(tenantId, plaintext.slice(plaintext.lastIndexOf('_') + 1)) };
}
