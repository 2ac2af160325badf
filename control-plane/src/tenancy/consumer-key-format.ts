// Consumer API keys `ck_<32 hex>` (issue 13): 16 bytes from a CSPRNG, shown once, kept only as the SHA-256
// that key-auth at the gateway looks up.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './api-key-format.js';

export interface GeneratedConsumerKey {
  plaintext: string;
  hash: string;
  /** What lists show to tell keys apart: `ck_` and the first 4 random hex digits. */
  prefix: string;
}

export function generateConsumerKey(random: (size: number) => Buffer = randomBytes): GeneratedConsumerKey {
  const secret = random(16).toString('hex');
  const plaintext = `ck_${secret}`;
  return { plaintext, hash: sha256Hex(plaintext), prefix: `ck_${secret.slice(0, 4)}` };
}
