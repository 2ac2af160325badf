// The pieces every entity form shares between what the user types and the object the API takes: one entry per
// line, and the "Advanced (JSON)" field holding every field of the object the form has no control for (so nothing
// the API accepts is out of reach). Pure, so the node tests prove the mapping without a browser.

/** An entity as the API presents it: its config fields plus these, which are never sent back. */
export const PRESENTED_ONLY_KEYS = ['id', 'managedBy', 'createdAt', 'updatedAt'] as const;

export interface EntityItem {
  id: string;
  managedBy: string;
  [field: string]: unknown;
}

/** A form's body for the API, or the messages of the fields it could not read (nothing is sent then). */
export type FormResult = { ok: true; body: Record<string, unknown>; advancedKeys: string[] } | { ok: false; errors: Record<string, string> };

/** The entries of a one-per-line field: each line trimmed, blank lines left out. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function textOfLines(values: readonly string[] | undefined): string {
  return (values ?? []).join('\n');
}

/** The advanced field's text for an item: its fields that are neither the form's own nor presented-only, as JSON. */
export function advancedTextOf(item: Readonly<Record<string, unknown>>, formKeys: readonly string[], hiddenKeys: readonly string[] = []): string {
  const skipped = new Set<string>([...PRESENTED_ONLY_KEYS, ...formKeys, ...hiddenKeys]);
  const rest = Object.fromEntries(Object.entries(item).filter(([key]) => !skipped.has(key)));
  return Object.keys(rest).length === 0 ? '' : JSON.stringify(rest, null, 2);
}

export type AdvancedResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/**
 * Reads the advanced field: empty is no field; otherwise one JSON object without the form's own fields, nor the
 * fields another page manages (`elsewhere`: the field and where it is managed).
 */
export function parseAdvanced(text: string, formKeys: readonly string[], elsewhere: Readonly<Record<string, string>> = {}): AdvancedResult {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'must be one JSON object of fields, like {"timeoutMs": 5000}' };
  }
  const own = Object.keys(value).find((key) => formKeys.includes(key));
  if (own !== undefined) return { ok: false, message: `"${own}" has its own field above: set it there` };
  const managed = Object.keys(value).find((key) => Object.hasOwn(elsewhere, key));
  if (managed !== undefined) return { ok: false, message: `"${managed}" is managed ${elsewhere[managed]}, not here` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Field values that are the same for every kind: a trimmed text, left out of the body when empty. */
export function optionalText(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The body without its undefined fields (JSON would drop them anyway; the tests compare bodies). */
export function withoutUndefined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
