// What a public page's form does with a failed API call: the API's details sorted onto the form's fields
// (field-errors.ts), and focus moved to the first field in error so keyboard and screen-reader users land on it.
import { ApiFailure } from './api.js';
import { errorsByField, type ErrorsByField } from './field-errors.js';

/** The failure's errors for a form with these fields (whose inputs have the ids `${idPrefix}-${field}`), focusing the first one in error. */
export function formErrorsOf(failure: unknown, fields: readonly string[], idPrefix: string): ErrorsByField {
  const found = failure instanceof ApiFailure ? errorsByField(fields, failure.message, failure.details) : { fields: {}, general: [failure instanceof Error ? failure.message : String(failure)] };
  const first = fields.find((field) => found.fields[field] !== undefined);
  if (first !== undefined) document.getElementById(`${idPrefix}-${first}`)?.focus();
  return found;
}
