// The config hash of DESIGN §6: SHA-256 of a canonical JSON serialisation with sorted keys, so equal
// configs hash equally on every control-plane replica and every gateway.
import { createHash } from 'node:crypto';
import { privateKeyPemFingerprint } from './certificate-pem.js';

/** Keys JSON.stringify would print first, in numeric order, whatever the object's own order. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const UNSORTABLE = Symbol('unsortable');

/**
 * A copy of `value` whose objects hold their keys in sorted order, so that the native JSON.stringify prints
 * the canonical form (twice as fast as building the string in JavaScript). UNSORTABLE when an object has
 * an array-index key, whose place JSON.stringify does not take from insertion order.
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return null;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i] === undefined ? null : sortedCopy(value[i]);
      if (item === UNSORTABLE) return UNSORTABLE;
      copy[i] = item;
    }
    return copy;
  }
  const record = value as Record<string, unknown>;
  // No prototype: a key named __proto__ stays a key, as in the by-hand serialisation.
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    if (ARRAY_INDEX.test(key)) return UNSORTABLE;
    const item = sortedCopy(record[key]);
    if (item === UNSORTABLE) return UNSORTABLE;
    copy[key] = item;
  }
  return copy;
}

/** The reference serialisation, written out by hand: used when sortedCopy cannot be. */
function canonicalJsonByHand(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJsonByHand(item))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJsonByHand((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * JSON with object keys sorted at every depth; arrays keep their order, undefined fields are dropped. Objects
 * are written by their own enumerable keys (a Date's toJSON is not called), functions and symbols as null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const copy = sortedCopy(value);
  return copy === UNSORTABLE ? canonicalJsonByHand(value) : JSON.stringify(copy);
}

export function sha256OfText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The hash of a config as gateways ack it. A pushed certificate's key counts by its fingerprint (`{sha256}`, DESIGN
 * §10 "Private keys"), never the PEM: the control plane holds keys only sealed and publishes the hash of that public
 * form, so both sides hash the same text and no hash depends on a key's PEM encoding.
 */
export function configHash(config: unknown): string {
  return sha256OfText(canonicalJson(withKeyFingerprints(config)));
}

function withKeyFingerprints(config: unknown): unknown {
  if (config === null || typeof config !== 'object' || !('certificates' in config)) return config;
  const { certificates } = config as { certificates: unknown };
  if (!Array.isArray(certificates)) return config;
  return {
    ...config,
    certificates: certificates.map((certificate: unknown) => {
      if (certificate === null || typeof certificate !== 'object') return certificate;
      const { key } = certificate as { key?: unknown };
      const sha256 = typeof key === 'string' ? privateKeyPemFingerprint(key) : undefined;
      return sha256 === undefined ? certificate : { ...certificate, key: { sha256 } };
    }),
  };
}

/** The canonical JSON of a config and its hash, for a writer that stores the one and publishes the other. */
export function canonicalConfig(config: unknown): { json: string; hash: string } {
  const json = canonicalJson(config);
  return { json, hash: sha256OfText(json) };
}
