// Seals config cache entries (DESIGN §10): AES-256-GCM under a key derived with HKDF-SHA256 from the
// gateway's secret, with the tenant and the place the entry is kept as additional data, so whoever can
// write Redis or the cache file can neither forge an entry nor move one between tenants or places.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The envelope's `format`; a change of layout or of what the additional data holds gets a new one. */
export const CONFIG_CACHE_FORMAT = 'novagate-config-cache/1';
const HKDF_SALT = 'novagate config cache';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface ConfigCacheKey {
  /** The AES-256 key. */
  key: Buffer;
  /**
   * A public name of the key (derived separately, reveals nothing about it), written in each envelope so
   * that an entry sealed before a key rotation is reported as such rather than as tampered. It is only a
   * diagnostic: an attacker can write any id, and the GCM tag alone decides.
   */
  id: string;
}

/** Why an entry was refused; the label of `novagate_config_cache_rejected_total`. */
export type ConfigCacheRejection = 'not_sealed' | 'malformed' | 'key_mismatch' | 'authentication_failed' | 'wrong_tenant';

export type OpenedEntry = { ok: true; plaintext: string } | { ok: false; reason: ConfigCacheRejection };

/** Where an entry is kept: the Redis key (`cfg:<tenant>`) or `file`. */
export interface ConfigCacheContext {
  tenant: string;
  place: string;
}

interface Envelope {
  format: string;
  keyId: string;
  iv: string;
  data: string;
  tag: string;
}

export function deriveConfigCacheKey(secret: string): ConfigCacheKey {
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, length));
  return { key: derive(`${CONFIG_CACHE_FORMAT} aes-256-gcm`, 32), id: derive(`${CONFIG_CACHE_FORMAT} key id`, 8).toString('hex') };
}

/** The GCM additional data: format, tenant and place, JSON-encoded so that no two contexts share a byte string. */
function additionalData(context: ConfigCacheContext): Buffer {
  return Buffer.from(JSON.stringify([CONFIG_CACHE_FORMAT, context.tenant, context.place]), 'utf8');
}

export function sealConfigCacheEntry(key: ConfigCacheKey, context: ConfigCacheContext, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(additionalData(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const envelope: Envelope = {
    format: CONFIG_CACHE_FORMAT,
    keyId: key.id,
    iv: iv.toString('base64url'),
    data: data.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
  return JSON.stringify(envelope);
}

/** Strict base64url: the decoded bytes, or undefined when the text is not canonical unpadded base64url. */
function decodeBase64Url(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function parseEnvelope(raw: string): Envelope | 'not_sealed' | 'malformed' {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'malformed';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'malformed';
  const envelope = value as Partial<Record<keyof Envelope, unknown>>;
  // An entry written before entries were sealed is plain config JSON: it has no format at all.
  if (envelope.format === undefined) return 'not_sealed';
  if (envelope.format !== CONFIG_CACHE_FORMAT) return 'malformed';
  if (typeof envelope.keyId !== 'string' || typeof envelope.iv !== 'string' || typeof envelope.data !== 'string' || typeof envelope.tag !== 'string') {
    return 'malformed';
  }
  return envelope as Envelope;
}

/** The plaintext of a sealed entry, or why it is refused. Never throws. */
export function openConfigCacheEntry(key: ConfigCacheKey, context: ConfigCacheContext, raw: string): OpenedEntry {
  const envelope = parseEnvelope(raw);
  if (typeof envelope === 'string') return { ok: false, reason: envelope };
  const iv = decodeBase64Url(envelope.iv);
  const data = decodeBase64Url(envelope.data);
  const tag = decodeBase64Url(envelope.tag);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || data === undefined) return { ok: false, reason: 'malformed' };
  if (envelope.keyId !== key.id) return { ok: false, reason: 'key_mismatch' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(data), decipher.final()]);
    return { ok: true, plaintext: plaintext.toString('utf8') };
  } catch {
    return { ok: false, reason: 'authentication_failed' };
  }
}
