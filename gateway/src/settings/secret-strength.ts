// How strong a configured secret is (DESIGN §8): bits estimated as length × log2 of the alphabet it uses,
// and whether it is one repeated pattern. Pure, shared by every program that takes a secret from the
// environment (JWT_SECRET, PLATFORM_JWT_SECRET, and later keys such as SECRETS_ENCRYPTION_KEY).

/** The smallest secret accepted: 128 bits, e.g. `openssl rand -hex 16`; `openssl rand -hex 32` gives 256. */
export const MIN_SECRET_BITS = 128;
export const MIN_SECRET_LENGTH = 32;

/**
 * The alphabet a secret draws from, by the classes of character it contains:
 * - hex: only 0-9 and a-f, or only 0-9 and A-F, with at least one letter (16; what `openssl rand -hex` prints),
 * - otherwise the sum of the classes present: lowercase a-z (26), uppercase A-Z (26), digits 0-9 (10),
 *   symbols = any other character (33: the printable ASCII punctuation and space; other characters count
 *   as symbols too, which only underestimates them).
 * A secret is credited with what its alphabet could hold, not what it does: `aaaa…` is 4 bits a character
 * by this count, which is why the repeated-pattern check exists beside it.
 */
export function secretAlphabetSize(value: string): number {
  if ((/^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value)) && /[a-fA-F]/.test(value)) return 16;
  let size = 0;
  if (/[a-z]/.test(value)) size += 26;
  if (/[A-Z]/.test(value)) size += 26;
  if (/[0-9]/.test(value)) size += 10;
  if (/[^a-zA-Z0-9]/.test(value)) size += 33;
  return size;
}

/** length × log2(alphabet size), rounded down; length counts characters (code points), not bytes. */
export function secretBits(value: string): number {
  const alphabet = secretAlphabetSize(value);
  return alphabet === 0 ? 0 : Math.floor([...value].length * Math.log2(alphabet));
}

/**
 * The shortest period of `value`: the smallest p such that every character equals the one p before it.
 * `abcabcab` has period 3; a string with no repetition has its own length.
 */
export function shortestPeriod(value: string): number {
  const chars = [...value];
  // Knuth–Morris–Pratt failure function: border[i] = the longest proper prefix of chars[0..i] that is also its suffix.
  const border = new Array<number>(chars.length).fill(0);
  for (let i = 1; i < chars.length; i++) {
    let k = border[i - 1] as number;
    while (k > 0 && chars[i] !== chars[k]) k = border[k - 1] as number;
    if (chars[i] === chars[k]) k++;
    border[i] = k;
  }
  return chars.length - (chars.length === 0 ? 0 : (border[chars.length - 1] as number));
}

/** A pattern repeated at least twice (the last copy may be cut short): `aaaa…`, `abcabcabc…`, `secretsecret`. */
export function isRepeatedPattern(value: string): boolean {
  const length = [...value].length;
  return length > 1 && shortestPeriod(value) * 2 <= length;
}

/** Why `value` is refused as a secret (a phrase completing "NAME …"), or undefined when it is strong enough. */
export function secretWeakness(value: string, minLength = MIN_SECRET_LENGTH, minBits = MIN_SECRET_BITS): string | undefined {
  const hint = 'generate one with `openssl rand -hex 32`';
  if ([...value].length < minLength) return `must be at least ${minLength} characters (${hint})`;
  if (isRepeatedPattern(value)) return `is one repeated pattern (${hint})`;
  const bits = secretBits(value);
  if (bits < minBits) {
    return `is too weak: about ${bits} bits (length × log2 of the ${secretAlphabetSize(value)}-character alphabet it uses), at least ${minBits} needed (${hint})`;
  }
  return undefined;
}
