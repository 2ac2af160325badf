// Pure decisions of the Tenant reconcile, from what is observed: which lifecycle step applies, and what to do
// about the gateway key Secret. The adapter (tenant-controller.ts) only carries them out.
import { tenantIdOfApiKey, type StoredKeyState } from '@novagate/control-plane/tenancy';
import { FINALIZER, type TenantResource } from '../../kube/resources.js';

export type TenantStep = 'finalize' | 'released' | 'add-finalizer' | 'provision';

export function tenantStep(tenant: TenantResource): TenantStep {
  const hasFinalizer = (tenant.metadata.finalizers ?? []).includes(FINALIZER);
  if (tenant.metadata.deletionTimestamp !== undefined) return hasFinalizer ? 'finalize' : 'released';
  return hasFinalizer ? 'provision' : 'add-finalizer';
}

export interface ObservedKeySecret {
  /** Whether the Tenant is among the Secret's owners. */
  ownedByTenant: boolean;
  /** The decoded `apiKey`, if any. */
  key: string | null;
}

export type GatewayKeyDecision =
  | { kind: 'refuse'; reason: string; message: string }
  | { kind: 'use'; key: string }
  /** Write a new key to the Secret (create it, or replace what it holds), then store the key's hash. */
  | { kind: 'write'; replace: boolean };

/**
 * The Secret's key is reused whenever it is a key of this tenant that was not revoked: that is what makes a
 * retry after a crash between writing the Secret and storing the hash find the same key, never a second one.
 */
export function gatewayKeyDecision(
  secretName: string,
  tenantId: string,
  secret: ObservedKeySecret | null,
  storedState: StoredKeyState | null,
): GatewayKeyDecision {
  if (secret === null) return { kind: 'write', replace: false };
  if (!secret.ownedByTenant) {
    return { kind: 'refuse', reason: 'SecretConflict', message: `Secret "${secretName}" exists and is not owned by this Tenant; delete or rename it` };
  }
  if (secret.key !== null && tenantIdOfApiKey(secret.key) === tenantId && storedState !== 'revoked') return { kind: 'use', key: secret.key };
  return { kind: 'write', replace: true };
}
