// Which form field an API error is about: the control plane's 400/409/422 bodies carry `details: [{path, message}]`
// (`path` like `url`, `targets[0].url` or `paths.0`). Pure, so the node tests prove it without a browser.

export interface ProblemDetail {
  path: string;
  message: string;
}

export interface ErrorsByField {
  /** The first message for each field the form has, keyed by field name. */
  fields: Record<string, string>;
  /** Messages about no field the form shows (the whole body, a header): shown above the form. */
  general: string[];
}

export const NO_ERRORS: ErrorsByField = { fields: {}, general: [] };

/** The field a detail path names: its first segment (`targets[0].url` is about `targets`). */
export function fieldOfPath(path: string): string {
  return /^[^.[]*/.exec(path)?.[0] ?? '';
}

/** How a form's fields receive the details of an API error. */
export interface FieldRouting {
  /** The form fields by the first segment of the paths they take (`paths` → the paths field). */
  fields: Readonly<Record<string, string>>;
  /**
   * Fields holding a list, one entry per line: a detail about entry `paths.2` names the entry it is about
   * (`/v1//x: must not …`), taken from the body that was sent (blank lines are not entries, so a line number could lie).
   */
  listFields?: readonly string[];
  /** The body the API refused: where a list field's entries are read. */
  sent?: Readonly<Record<string, unknown>>;
  /** The "Advanced (JSON)" field and the top-level keys it held: details under those keys land on it with their path. */
  advanced?: { field: string; keys: readonly string[] };
}

/** `[2].value` or `.2.value` after a list field: the index and what follows. */
function entryOf(rest: string): { index: number; after: string } | null {
  const match = /^(?:\[(\d+)\]|\.(\d+))(.*)$/.exec(rest);
  if (match === null) return null;
  return { index: Number(match[1] ?? match[2]), after: match[3]!.replace(/^\./, '') };
}

function describeEntry(value: unknown, index: number): string {
  if (typeof value === 'string') return value === '' ? `entry ${index + 1}` : value;
  return value === undefined ? `entry ${index + 1}` : JSON.stringify(value);
}

/** The message a field shows for one detail: list entries and advanced paths say which part they are about. */
function fieldMessage(routing: FieldRouting, segment: string, path: string, message: string): string {
  const rest = path.slice(segment.length);
  if (rest === '') return message;
  if (routing.listFields?.includes(segment)) {
    const entry = entryOf(rest);
    if (entry !== null) {
      const list = routing.sent?.[segment];
      const value = Array.isArray(list) ? (list as unknown[])[entry.index] : undefined;
      return `${describeEntry(value, entry.index)}${entry.after === '' ? '' : ` (${entry.after})`}: ${message}`;
    }
  }
  return `${path}: ${message}`;
}

/**
 * Sorts an error's details onto the form's fields: a detail whose first segment is a form field goes to that field,
 * one under a key of the advanced JSON goes to the advanced field (with its path), the rest is general (with its
 * path). With no details at all the message is general.
 */
export function routeErrors(routing: FieldRouting, message: string, details: readonly ProblemDetail[] | undefined): ErrorsByField {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const detail of details ?? []) {
    const segment = fieldOfPath(detail.path);
    const field = Object.hasOwn(routing.fields, segment) ? routing.fields[segment] : undefined;
    if (field !== undefined && segment !== '') {
      fields[field] ??= fieldMessage(routing, segment, detail.path, detail.message);
    } else if (routing.advanced !== undefined && segment !== '' && routing.advanced.keys.includes(segment)) {
      fields[routing.advanced.field] ??= `${detail.path}: ${detail.message}`;
    } else {
      general.push(detail.path === '' ? detail.message : `${detail.path}: ${detail.message}`);
    }
  }
  if (Object.keys(fields).length === 0 && general.length === 0) general.push(message);
  return { fields, general };
}

/** Sorts an error's details onto fields named like the paths' first segments; the rest is general. */
export function errorsByField(fieldNames: readonly string[], message: string, details: readonly ProblemDetail[] | undefined): ErrorsByField {
  return routeErrors({ fields: Object.fromEntries(fieldNames.map((name) => [name, name])) }, message, details);
}
