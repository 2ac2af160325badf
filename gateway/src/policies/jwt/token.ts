// Splits a compact JWS (RFC 7515 §7.1) into its decoded header and payload, before any signature work, with
// the same strictness as the HS256 path: three canonical base64url segments, JSON objects, bounded length.
import { decodeBase64url } from './base64url.js';

export const MAX_TOKEN_LENGTH = 8192;

export interface ParsedToken {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** A token part decoded as a JSON object, or null when it is not one (shared by HS256 and provider tokens). */
export function decodeJsonPart(part: string): Record<string, unknown> | null {
  const bytes = decodeBase64url(part);
  if (bytes === undefined) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The parts of a well-formed token, or undefined. The claims are NOT trusted until the signature is checked. */
export function parseToken(token: string): ParsedToken | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot <= 0 || secondDot <= firstDot + 1 || token.indexOf('.', secondDot + 1) !== -1) return undefined;
  const header = decodeJsonPart(token.slice(0, firstDot));
  if (header === null) return undefined;
  const claims = decodeJsonPart(token.slice(firstDot + 1, secondDot));
  if (claims === null) return undefined;
  const signature = decodeBase64url(token.slice(secondDot + 1));
  if (signature === undefined || signature.length === 0) return undefined;
  return { header, claims, signingInput: token.slice(0, secondDot), signature };
}
