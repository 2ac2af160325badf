// Credentials as the auth policies read them from a request: `Authorization: Bearer <x>` carries a JWT for
// the jwt policy and an API key for key-auth (which also takes the `apikey` header).

/** The credential of `Authorization: Bearer <x>` (scheme in any case, surrounding spaces trimmed), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}
