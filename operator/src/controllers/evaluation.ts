// What a reconciler concludes about one resource: accepted with the config it contributes, or refused with a
// reason (CamelCase, for machines) and a message a person can act on.
import type { z } from 'zod';
import type { SecretResource, TenantResource } from '../kube/resources.js';

export type Evaluation<T> = { accepted: true; value: T } | { accepted: false; reason: string; message: string };

export interface Problem {
  reason: string;
  message: string;
}

/** One line naming the resource field of each schema problem: `spec.match.paths[0]: path must start with '/'`. */
export function problemMessage(error: Pick<z.ZodError, 'issues'>, fields: Record<string, string>, prefix: string): string {
  return error.issues
    .map((issue) => {
      const [head, ...rest] = issue.path.map(String);
      const base = head === undefined ? prefix : (fields[head] ?? `${prefix}.${head}`);
      const field = rest.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), base);
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Why a Tenant cannot take config yet, or null when it can (`tenantId` is its provisioned id, if any). */
export function tenantProblem(namespace: string, refName: string, tenant: TenantResource | undefined, tenantId: string | null): Problem | null {
  if (tenant === undefined) {
    return {
      reason: 'TenantNotFound',
      message: `Tenant "${refName}" does not exist in namespace "${namespace}"; create it or correct spec.tenantRef.name`,
    };
  }
  if (tenant.metadata.deletionTimestamp !== undefined) {
    return { reason: 'TenantDeleting', message: `Tenant "${refName}" is being deleted` };
  }
  if (tenantId === null) {
    return { reason: 'TenantNotReady', message: `Tenant "${refName}" is not provisioned yet; see its Ready condition` };
  }
  return null;
}

/** The value of `key` in a Secret's data, decoded; or why it cannot be read. */
export function secretValue(namespace: string, secret: SecretResource | undefined, name: string, key: string): Evaluation<string> {
  if (secret === undefined) {
    return { accepted: false, reason: 'SecretNotFound', message: `Secret "${name}" does not exist in namespace "${namespace}"` };
  }
  const encoded = secret.data?.[key];
  if (encoded === undefined) {
    return { accepted: false, reason: 'SecretKeyNotFound', message: `Secret "${name}" has no key "${key}"` };
  }
  const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
  if (value === '') return { accepted: false, reason: 'SecretKeyEmpty', message: `key "${key}" of Secret "${name}" is empty` };
  return { accepted: true, value };
}
