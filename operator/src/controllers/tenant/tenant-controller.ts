// Tenant reconcile (DESIGN §7): finalizer first; the tenant account found by the resource's uid or provisioned
// through the control plane's provisionTenant; Secret <tenant>-gateway-key owned by the Tenant created before
// the key's hash is stored (a retry that finds the Secret reuses its key, so a crash in between never makes a
// second key); Ready; on deletion, keys revoked and the schema kept or dropped per spec.deletionPolicy. Its
// declaration names what it watches: its own Tenants, their gateway key Secrets and the GatewayClasses naming them.
import type { V1Secret } from '@kubernetes/client-node';
import {
  adoptRetainedTenant,
  apiKeyFromPlaintext,
  apiKeyState,
  createApiKey,
  findTenantByKubernetesUid,
  generateApiKey,
  provisionKubernetesTenant,
  releaseKubernetesTenant,
  revokeApiKeys,
  StoreError,
  tenantSchemaName,
  updateKubernetesTenant,
  type KubernetesTenant,
} from '@novagate/control-plane/tenancy';
import type { ConditionInput } from '../../conditions.js';
import type { Reconcile } from '../../kube/queue.js';
import { FINALIZER, GROUP, isConflict, VERSION, type TenantResource } from '../../kube/resources.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { ownObjects } from '../watches.js';
import { gatewayKeyDecision, tenantStep } from './tenant-decisions.js';
import { writeStatus } from '../status.js';
import { gatewayKeySecretName, tenantGatewayKeySecrets, tenantsOfChangedGatewayClass } from './tenant-watches.js';
import { tenantsOfChangedGateway, tenantsOfChangedRoute, tenantsOfEndpoints } from '../httproute/http-route-watches.js';

export const SECRET_KEY = 'apiKey';
/** The api_keys name of the key the operator made for a Tenant. */
export const operatorKeyName = (tenant: TenantResource): string => `kubernetes:${tenant.metadata.namespace ?? ''}/${tenant.metadata.name}`;

class TenantRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

async function ensureAccount(context: ControllerContext, tenant: TenantResource): Promise<KubernetesTenant> {
  const uid = tenant.metadata.uid as string;
  let account = await findTenantByKubernetesUid(context.pool, uid);
  if (account === null && (await adoptRetainedTenant(context.pool, uid, tenant.spec.ownerEmail))) {
    account = await findTenantByKubernetesUid(context.pool, uid);
  }
  if (account === null) {
    try {
      account = await provisionKubernetesTenant(context.pool, {
        uid,
        name: tenant.spec.displayName,
        plan: tenant.spec.plan,
        ownerEmail: tenant.spec.ownerEmail,
      });
      context.log.info('tenant provisioned', { tenant: `${tenant.metadata.namespace}/${tenant.metadata.name}`, tenantId: account.id });
    } catch (error) {
      if (error instanceof StoreError && error.code === 'already_exists') {
        throw new TenantRefused('OwnerEmailTaken', `another tenant already has owner ${tenant.spec.ownerEmail}; choose another spec.ownerEmail`);
      }
      throw error; // a concurrent provisioning of the same uid: the retry finds it
    }
  } else if (account.name !== tenant.spec.displayName || account.plan !== tenant.spec.plan) {
    await updateKubernetesTenant(context.pool, account.id, { name: tenant.spec.displayName, plan: tenant.spec.plan });
  }
  return account;
}

function secretBody(tenant: TenantResource, key: string, resourceVersion?: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: gatewayKeySecretName(tenant.metadata.name),
      namespace: tenant.metadata.namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { 'app.kubernetes.io/managed-by': 'novagate-operator', 'novagate.dev/tenant': tenant.metadata.name },
      ownerReferences: [
        {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Tenant',
          name: tenant.metadata.name,
          uid: tenant.metadata.uid as string,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: 'Opaque',
    data: { [SECRET_KEY]: Buffer.from(key).toString('base64') },
  };
}

/** The gateway key: the Secret's if it holds a usable key of this tenant, else a new one written to the Secret first. */
async function ensureGatewayKey(context: ControllerContext, tenant: TenantResource, account: KubernetesTenant): Promise<void> {
  const namespace = tenant.metadata.namespace ?? '';
  const name = gatewayKeySecretName(tenant.metadata.name);
  const secret = await context.kube.readSecret(namespace, name);
  const encoded = secret?.data?.[SECRET_KEY];
  const observed =
    secret === null
      ? null
      : {
          ownedByTenant: (secret.metadata?.ownerReferences ?? []).some((owner) => owner.uid === tenant.metadata.uid),
          key: encoded === undefined ? null : Buffer.from(encoded, 'base64').toString('utf8'),
        };
  const storedState = observed?.key ? await apiKeyState(context.pool, account.id, observed.key) : null;
  const decision = gatewayKeyDecision(name, account.id, observed, storedState);
  if (decision.kind === 'refuse') throw new TenantRefused(decision.reason, decision.message);
  let key: string;
  if (decision.kind === 'use') {
    key = decision.key;
  } else {
    key = generateApiKey(account.id).plaintext;
    if (decision.replace) await context.kube.replaceSecret(secretBody(tenant, key, secret?.metadata?.resourceVersion));
    else await context.kube.createSecret(secretBody(tenant, key));
    await context.kube.recordEvent(tenant, 'Normal', 'GatewayKeyCreated', `wrote a new gateway API key to Secret ${name}`, context.now());
  }
  // The hash of the key the Secret holds (never a new key), stored unless it is already.
  if ((await apiKeyState(context.pool, account.id, key)) === 'missing') {
    await createApiKey(context.pool, account.id, operatorKeyName(tenant), apiKeyFromPlaintext(account.id, key));
  }
  // A key the operator made earlier for this Tenant and no longer in its Secret (the Secret was deleted or rotated).
  await revokeApiKeys(context.pool, account.id, { name: operatorKeyName(tenant), keep: key });
}

async function finalize(context: ControllerContext, tenant: TenantResource): Promise<void> {
  if (!(tenant.metadata.finalizers ?? []).includes(FINALIZER)) return;
  const account = await findTenantByKubernetesUid(context.pool, tenant.metadata.uid as string);
  if (account !== null) {
    await releaseKubernetesTenant(context.pool, account.id, tenant.spec.deletionPolicy);
    context.log.info('tenant released', { tenant: `${tenant.metadata.namespace}/${tenant.metadata.name}`, policy: tenant.spec.deletionPolicy });
  }
  await context.kube.setFinalizers(
    'tenants',
    tenant,
    (tenant.metadata.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER),
  );
}

export function createTenantReconciler(context: ControllerContext): Reconcile {
  return async (key) => {
    let tenant = context.informers.tenants.get(key);
    if (tenant === undefined) return;
    const step = tenantStep(tenant);
    if (step === 'released') return;
    if (step === 'finalize') {
      await finalize(context, tenant);
      return;
    }
    if (step === 'add-finalizer') {
      try {
        tenant = await context.kube.setFinalizers('tenants', tenant, [...(tenant.metadata.finalizers ?? []), FINALIZER]);
      } catch (error) {
        if (isConflict(error)) return; // changed meanwhile: the watch brings the new version and another run
        throw error;
      }
    }
    let ready: ConditionInput;
    let fields: Record<string, unknown> = {};
    try {
      const account = await ensureAccount(context, tenant);
      fields = { tenantId: account.id, schema: tenantSchemaName(account.id) };
      await ensureGatewayKey(context, tenant, account);
      fields.apiKeySecretName = gatewayKeySecretName(tenant.metadata.name);
      const synced = await context.configSync.sync(key);
      if (synced !== null && synced.kept.length > 0) {
        const names = synced.kept.map((name) => `'${name}'`).join(', ');
        await context.kube.recordEvent(tenant, 'Warning', 'ServiceKept', `kept service ${names}: admin-API routes still name it in backends or mirrors; it is deleted once they stop`, context.now());
      }
      ready = { type: 'Ready', status: 'True', reason: 'Provisioned', message: `tenant ${account.id} is provisioned on the ${tenant.spec.plan} plan` };
    } catch (error) {
      if (!(error instanceof TenantRefused)) throw error;
      ready = { type: 'Ready', status: 'False', reason: error.reason, message: error.message };
    }
    await writeStatus(context.kube, 'tenants', tenant, { conditions: [ready], fields }, context.now());
  };
}

export const tenantController: ControllerDeclaration = {
  kind: 'tenant',
  resource: 'tenants',
  reconciler: createTenantReconciler,
  // Gateway API: the tenants whose config a route's or Gateway's change moves, and EndpointSlices (coalesced).
  watches: [ownObjects('tenants'), tenantGatewayKeySecrets, tenantsOfChangedGatewayClass, tenantsOfChangedRoute, tenantsOfChangedGateway, tenantsOfEndpoints],
};
