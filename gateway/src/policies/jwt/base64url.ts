// Strict base64url for JWT segments (RFC 7515 §2): only the canonical unpadded form is accepted, so one token
// has exactly one spelling. Node's decoder is lenient (it skips `=`, `!` and other characters, and ignores
// non-zero trailing bits), so a segment counts only when re-encoding its bytes gives back the same text.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function isCanonicalBase64url(segment: string): boolean {
  if (!ALPHABET.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/** The bytes of a canonical segment, or undefined for any other text. */
export function decodeBase64url(segment: string): Buffer | undefined {
  if (!ALPHABET.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
