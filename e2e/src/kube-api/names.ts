// Object name rules and generateName suffixes, as the apiserver applies them.
import { randomInt } from 'node:crypto';
import type { FieldError } from './errors.js';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why the real server refuses `name` for this kind, or undefined: each kind has its rule. */
function nameProblem(name: string, type: { group: string; plural: string }): string | undefined {
  if (type.group === '' && type.plural === 'namespaces') {
    if (name.length > 63 || !label.test(name)) return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    return undefined;
  }
  if (type.group === '' && type.plural === 'services') {
    if (name.length > 63 || !dns1035.test(name)) return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    return undefined;
  }
  // RBAC objects only need a valid path segment: "system:controller:…" and capitals are fine.
  if (type.group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..') return `may not be '${name}'`;
    if (name.includes('/')) return "may not contain '/'";
    if (name.includes('%')) return "may not contain '%'";
    return undefined;
  }
  if (name.length > 253 || !subdomain.test(name)) return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** The kind's name rule (DNS-1123 subdomain for most kinds; see nameProblem); errors name `metadata.name`. */
export function validateName(name: string, type: { group: string; plural: string }): FieldError[] {
  const problem = nameProblem(name, type);
  return problem === undefined ? [] : [{ type: 'FieldValueInvalid', field: 'metadata.name', detail: `"${name}": ${problem}` }];
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet the apiserver uses for generateName (no vowels, no look-alikes). */
export function randomNameSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return suffix;
}
