// The entity tag of one stored service, route or consumer (the admin API's ETag / If-Match): a digest of the row
// as the store reads it, so any change — a field, a key added or revoked, the operator's write — gives a new tag.
import { createHash } from 'node:crypto';
import type { EntityRow } from './entities.js';

/** Longest If-Match header the API reads; a longer one is refused, not scanned. */
export const MAX_IF_MATCH_LENGTH = 1024;

/** The row's strong entity tag, quoted as HTTP writes it. */
export function entityEtag(row: EntityRow): string {
  return `"${createHash('sha256').update(JSON.stringify(row)).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an If-Match header value lets a write of the row with tag `current` go ahead: `*` or a list naming the
 * tag (strong comparison, RFC 9110 §13.1.1: a weak tag `W/"…"` never matches).
 */
export function ifMatchAllows(header: string, current: string): boolean {
  const value = header.trim();
  if (value === '*') return true;
  return value.split(',').some((tag) => tag.trim() === current);
}
