// Non-cryptographic 32-bit hashing for consistent-hash balancing: FNV-1a over a key, murmur3's finaliser to
// mix a key hash with a target's seed. The key is read up to MAX_HASHED_KEY_CHARS characters, so a huge header
// value costs the same as a long one (Node already bounds headers; this bounds the work per request).
export const MAX_HASHED_KEY_CHARS = 1_024;

/** FNV-1a of the first MAX_HASHED_KEY_CHARS UTF-16 code units of `key`, as an unsigned 32-bit integer. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  const end = Math.min(key.length, MAX_HASHED_KEY_CHARS);
  for (let i = 0; i < end; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Keys longer than the bound still differ by length.
  if (key.length > end) hash = Math.imul(hash ^ key.length, 0x01000193);
  return hash >>> 0;
}

/** murmur3's fmix32: a well-spread unsigned 32-bit value from `a` combined with `b`. */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
