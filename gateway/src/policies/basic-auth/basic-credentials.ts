// Reads `Authorization: Basic <base64(user-id ":" password)>` (RFC 7617) strictly: the scheme in any case, then
// spaces, then canonical base64 of at most MAX_BASIC_CREDENTIALS_BASE64 characters that decodes to valid UTF-8
// with a ':' and no control characters. Anything else is `malformed`; no Basic credential at all is `missing`.

/** 1,024 base64 characters decode to 768 bytes: far above any sane user-id and password (bcrypt reads 72). */
export const MAX_BASIC_CREDENTIALS_BASE64 = 1024;

export type BasicCredentials =
  | { readonly kind: 'credentials'; readonly username: string; readonly password: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed' };

const MISSING: BasicCredentials = { kind: 'missing' };
const MALFORMED: BasicCredentials = { kind: 'malformed' };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// eslint-disable-next-line no-control-regex -- RFC 7617: user-id and password hold no control characters
const CONTROL = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseBasicCredentials(header: string | undefined): BasicCredentials {
  if (header === undefined || header.length < 6) return MISSING;
  if (header.slice(0, 6).toLowerCase() !== 'basic ') return MISSING;
  let start = 6;
  while (start < header.length && header.charCodeAt(start) === 32) start++;
  const encoded = header.slice(start);
  if (encoded.length === 0 || encoded.length > MAX_BASIC_CREDENTIALS_BASE64 || encoded.length % 4 !== 0) return MALFORMED;
  if (!BASE64.test(encoded)) return MALFORMED;
  const bytes = Buffer.from(encoded, 'base64');
  // Canonical only: Node's decoder ignores stray padding bits, so re-encode and compare.
  if (bytes.toString('base64') !== encoded) return MALFORMED;
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return MALFORMED;
  }
  const colon = decoded.indexOf(':');
  if (colon < 1 || CONTROL.test(decoded)) return MALFORMED;
  return { kind: 'credentials', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
