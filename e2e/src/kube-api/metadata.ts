// ObjectMeta rules every kind shares: known fields only, label and finalizer syntax, owner references.
import type { FieldError } from './errors.js';
import type { ObjectMeta } from './object.js';

const knownFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxAnnotationBytes = 256 * 1024;

/** metadata fields ObjectMeta does not have: the real server drops them (or refuses them under Strict validation). */
export function unknownMetadataFields(meta: Record<string, unknown>): string[] {
  return Object.keys(meta).filter((key) => !knownFields.has(key)).map((key) => `metadata.${key}`);
}

export function pruneMetadata(meta: ObjectMeta): ObjectMeta {
  const pruned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) if (knownFields.has(key)) pruned[key] = value;
  return pruned as ObjectMeta;
}

/** A label key, annotation key or finalizer: an optional DNS subdomain prefix and a name of at most 63 characters. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', with an optional DNS subdomain prefix and \'/\'';
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : ['', parts[0] ?? ''];
  if (parts.length === 2 && (prefix === '' || prefix.length > 253 || !subdomain.test(prefix))) return 'prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\'';
  if (name === '' || name.length > 63 || !qualifiedName.test(name)) return 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (at most 63 characters)';
  return undefined;
}

export function validateObjectMeta(meta: ObjectMeta): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    const problem = qualifiedNameProblem(key);
    if (problem) errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', detail: `${JSON.stringify(key)}: ${problem}` });
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !qualifiedName.test(value))) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.labels', detail: `${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)` });
    }
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) errors.push({ type: 'FieldValueInvalid', field: 'metadata.annotations', detail: `${JSON.stringify(key)}: ${problem}` });
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (annotationBytes > maxAnnotationBytes) errors.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: `must have at most ${maxAnnotationBytes} bytes` });
  (meta.finalizers ?? []).forEach((finalizer, i) => {
    const problem = qualifiedNameProblem(finalizer);
    if (problem) errors.push({ type: 'FieldValueInvalid', field: `metadata.finalizers[${i}]`, detail: `${JSON.stringify(finalizer)}: ${problem}` });
  });
  const refs = meta.ownerReferences ?? [];
  refs.forEach((ref, i) => {
    for (const key of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      if (!ref[key]) errors.push({ type: 'FieldValueRequired', field: `metadata.ownerReferences[${i}].${key}`, detail: '' });
    }
  });
  if (refs.filter((ref) => ref.controller === true).length > 1) {
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.ownerReferences', detail: 'Only one reference can have Controller set to true' });
  }
  return errors;
}
