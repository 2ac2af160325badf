// Which form field an API error is about: the control plane's 400/409/422 bodies carry `details: [{path, message}]`
// (`path` like `url` or `targets[0].url`). Pure, so the node tests prove it without a browser.

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

/** The field a detail path names: its first segment (`targets[0].url` is about `targets`). */
export function fieldOfPath(path: string): string {
  return /^[^.[]*/.exec(path)?.[0] ?? '';
}

/** Sorts an error's details onto the form's fields; the rest (or the message when there are none) is general. */
export function errorsByField(fieldNames: readonly string[], message: string, details: readonly ProblemDetail[] | undefined): ErrorsByField {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const detail of details ?? []) {
    const field = fieldOfPath(detail.path);
    if (fieldNames.includes(field)) fields[field] ??= detail.message;
    else general.push(detail.path === '' ? detail.message : `${detail.path}: ${detail.message}`);
  }
  if (Object.keys(fields).length === 0 && general.length === 0) general.push(message);
  return { fields, general };
}
