// Encryption at rest of the secrets the control plane stores (DESIGN §10 "Private keys"): AES-256-GCM under a key
// derived by HKDF from SECRETS_ENCRYPTION_KEY, each ciphertext tagged with the id of the key that sealed it so
// SECRETS_ENCRYPTION_ACCEPTED_KEY still opens what the previous key sealed during a rotation. Pure: no I/O.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface DerivedKey {
  id: string;
  key: Buffer;
}

function derive(secret: string): DerivedKey {
  const material = Buffer.from(secret, 'utf8');
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'novagate secrets aes-256-gcm', 32));
  const id = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'novagate secrets key id', 8)).toString('hex');
  return { id, key };
}

/** Why a ciphertext was not opened; never holds the plaintext or the key. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export interface SecretBox {
  /** Id of the key `seal` uses. */
  readonly keyId: string;
  /** `v1:<key id>:<base64url of iv, ciphertext and tag>`; `context` is bound to it (an owner's id), never stored in it. */
  seal(plaintext: string, context: string): string;
  /** The plaintext, or SecretBoxError when the text is malformed, tampered with, sealed for another context or under an unknown key. */
  open(sealed: string, context: string): string;
  /** Whether `sealed` was sealed under the current key (false: re-seal it on the next write). */
  isCurrent(sealed: string): boolean;
}

/** A box sealing under `key` and opening under `key` or `acceptedKey` (the previous key, during a rotation). */
export function createSecretBox(key: string, acceptedKey?: string): SecretBox {
  const current = derive(key);
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  if (acceptedKey !== undefined) {
    const accepted = derive(acceptedKey);
    if (!keys.has(accepted.id)) keys.set(accepted.id, accepted.key);
  }
  return {
    keyId: current.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${FORMAT}:${current.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(sealed, context) {
      const [format, keyId, payload, ...rest] = sealed.split(':');
      if (format !== FORMAT || keyId === undefined || payload === undefined || rest.length > 0) throw new SecretBoxError('sealed secret is malformed');
      const secretKey = keys.get(keyId);
      if (secretKey === undefined) {
        throw new SecretBoxError(`sealed under key ${keyId}, which is neither SECRETS_ENCRYPTION_KEY nor SECRETS_ENCRYPTION_ACCEPTED_KEY`);
      }
      const bytes = Buffer.from(payload, 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed secret is malformed');
      const decipher = createDecipheriv('aes-256-gcm', secretKey, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('sealed secret failed authentication (tampered with, or sealed for another owner)');
      }
    },
    isCurrent(sealed) {
      return sealed.startsWith(`${FORMAT}:${current.id}:`);
    },
  };
}
