// Object name rules and generateName suffixes, as the apiserver applies them.
import { randomInt } from 'node:crypto';
import type { FieldError } from './errors.js';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1123 subdomain (most kinds) or label (namespaces); errors name `metadata.name`. */
export function validateName(name: string, asLabel: boolean): FieldError[] {
  if (asLabel ? name.length > 63 || !label.test(name) : name.length > 253 || !subdomain.test(name)) {
    const rule = asLabel
      ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
      : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    return [{ type: 'FieldValueInvalid', field: 'metadata.name', detail: `"${name}": ${rule}` }];
  }
  return [];
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet the apiserver uses for generateName (no vowels, no look-alikes). */
export function randomNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return suffix;
}
