// The gateway API key of one Gateway (DESIGN §11): Secret `<gateway>-novagate-gateway-key` (key `apiKey`) in the
// Gateway's namespace, owned by the Gateway, written before the key's hash is stored (a retry that finds the Secret
// reuses its key, as for a Tenant's key: tenant/tenant-decisions.ts gatewayKeyDecision), bound to the Gateway (the hub
// sends it only the Gateway's slice of the config). The provisioner hands the key to the Gateway's gateway processes;
// the finalizer revokes it, and the revocation NOTIFY disconnects them.
import type { V1Secret } from '@kubernetes/client-node';
import { apiKeyFromPlaintext, apiKeyState, bindApiKey, createApiKey, generateApiKey, revokeApiKeys } from '@novagate/control-plane/tenancy';
import { gatewayOwner } from '../../gateway-api/names.js';
import { GATEWAY_API_GROUP, GATEWAY_API_VERSION, type GatewayResource } from '../../kube/resources.js';
import type { ControllerContext } from '../context.js';
import { gatewayKeyDecision } from '../tenant/tenant-decisions.js';

export const GATEWAY_KEY_SECRET_SUFFIX = '-novagate-gateway-key';
export const GATEWAY_KEY_FIELD = 'apiKey';
/** The annotation on the key Secret naming the Tenant (`namespace/name`) whose key it holds. */
export const TENANT_ANNOTATION = 'novagate.dev/tenant';

export const gatewayKeySecretName = (gateway: string): string => `${gateway}${GATEWAY_KEY_SECRET_SUFFIX}`;
/** The api_keys name of the key the operator made for a Gateway. */
export const gatewayKeyName = (namespace: string, gateway: string): string => `kubernetes-gateway:${namespace}/${gateway}`;

export class GatewayKeyRefused extends Error {}

function secretBody(gateway: GatewayResource, tenantKey: string, key: string, resourceVersion?: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: gatewayKeySecretName(gateway.metadata.name),
      namespace: gateway.metadata.namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { 'app.kubernetes.io/managed-by': 'novagate-operator' },
      annotations: { [TENANT_ANNOTATION]: tenantKey },
      ownerReferences: [
        {
          apiVersion: `${GATEWAY_API_GROUP}/${GATEWAY_API_VERSION}`,
          kind: 'Gateway',
          name: gateway.metadata.name,
          uid: gateway.metadata.uid as string,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: 'Opaque',
    data: { [GATEWAY_KEY_FIELD]: Buffer.from(key).toString('base64') },
  };
}

/** The Gateway's key (the Secret's when usable, else a new one written to the Secret first), stored and current. */
export async function ensureGatewayKey(context: ControllerContext, gateway: GatewayResource, tenantKey: string, tenantId: string): Promise<string> {
  const namespace = gateway.metadata.namespace ?? '';
  const name = gatewayKeySecretName(gateway.metadata.name);
  const secret = await context.kube.readSecret(namespace, name);
  const encoded = secret?.data?.[GATEWAY_KEY_FIELD];
  const observed =
    secret === null
      ? null
      : {
          ownedByTenant: (secret.metadata?.ownerReferences ?? []).some((owner) => owner.uid === gateway.metadata.uid),
          key: encoded === undefined ? null : Buffer.from(encoded, 'base64').toString('utf8'),
        };
  const storedState = observed?.key ? await apiKeyState(context.pool, tenantId, observed.key) : null;
  const decision = gatewayKeyDecision(name, tenantId, observed, storedState);
  if (decision.kind === 'refuse') throw new GatewayKeyRefused(`Secret ${name} exists and is not owned by this Gateway; delete or rename it`);
  let key: string;
  if (decision.kind === 'use') {
    key = decision.key;
  } else {
    key = generateApiKey(tenantId).plaintext;
    if (decision.replace) await context.kube.replaceSecret(secretBody(gateway, tenantKey, key, secret?.metadata?.resourceVersion));
    else await context.kube.createSecret(secretBody(gateway, tenantKey, key));
    await context.kube.recordEvent(gatewayEventTarget(gateway), 'Normal', 'GatewayKeyCreated', `wrote a new gateway API key to Secret ${name}`, context.now());
  }
  const keyName = gatewayKeyName(namespace, gateway.metadata.name);
  // Bound to the Gateway: the hub sends it only this Gateway's slice of the tenant's config, so reading the Secret in
  // this namespace never reveals the rest of the tenant (DESIGN §11). A key made before keys could be bound is bound now.
  const owner = gatewayOwner(namespace, gateway.metadata.name);
  if ((await apiKeyState(context.pool, tenantId, key)) === 'missing') await createApiKey(context.pool, tenantId, keyName, apiKeyFromPlaintext(tenantId, key), owner);
  else await bindApiKey(context.pool, tenantId, key, owner);
  // A key made earlier for this Gateway and no longer in its Secret (the Secret was deleted or rotated).
  await revokeApiKeys(context.pool, tenantId, { name: keyName, keep: key });
  return key;
}

/** Revokes every key of the Gateway (the NOTIFY disconnects the gateway processes using it); the count revoked. */
export async function revokeGatewayKeys(context: ControllerContext, gateway: GatewayResource, tenantId: string): Promise<number> {
  return revokeApiKeys(context.pool, tenantId, { name: gatewayKeyName(gateway.metadata.namespace ?? '', gateway.metadata.name), keep: null });
}

/** The Gateway as an Event's involved object. */
export const gatewayEventTarget = (gateway: GatewayResource): GatewayResource => ({ ...gateway, apiVersion: `${GATEWAY_API_GROUP}/${GATEWAY_API_VERSION}`, kind: 'Gateway' });
