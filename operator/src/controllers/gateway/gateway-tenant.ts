// Pure over the caches: whose a Gateway is (DESIGN §11). A Gateway is ours when its gatewayClassName names a
// GatewayClass of novagate.dev/gateway-controller; it writes into the Tenant that class's parametersRef names once
// the class is Accepted, from any namespace: its key is bound to it, so the hub sends that key only this Gateway's
// slice of the Tenant's config (gateway/src/config/gateway-slice.ts). The listeners of a tenant's Gateways are part
// of the tenant's desired config.
import type { ListenerConfig } from '@novagate/gateway/config';
import { isConditionTrue } from '../../conditions.js';
import type { ReferenceGrantObject } from '../../gateway-api/reference-grant.js';
import type { GatewayResource } from '../../kube/resources.js';
import type { Caches } from '../controller.js';
import type { DesiredConfig } from '../config-sync/plan.js';
import { isOurs } from '../gatewayclass/gatewayclass-decisions.js';
import { evaluateGatewayListeners } from './gateway-listeners.js';

export type GatewayOwnership =
  /** Another controller's class, or no class at all: the Gateway is left alone entirely. */
  | { kind: 'not-ours' }
  /** Our class, not Accepted (or naming no Tenant): Accepted=False InvalidParameters. */
  | { kind: 'class-not-accepted'; message: string }
  | { kind: 'ours'; tenantKey: string };

export function gatewayOwnership(gateway: GatewayResource, caches: Pick<Caches, 'gatewayclasses'>): GatewayOwnership {
  const gatewayClass = caches.gatewayclasses.get(`/${gateway.spec.gatewayClassName}`);
  if (gatewayClass === undefined || !isOurs(gatewayClass)) return { kind: 'not-ours' };
  const ref = gatewayClass.spec.parametersRef;
  if (!isConditionTrue(gatewayClass.status?.conditions, 'Accepted') || ref?.namespace === undefined) {
    return { kind: 'class-not-accepted', message: `GatewayClass ${gateway.spec.gatewayClassName} is not Accepted; see its status` };
  }
  return { kind: 'ours', tenantKey: `${ref.namespace}/${ref.name}` };
}

/** The config sync's owner of one Gateway listener's row: never equal to a Route's or an HTTPRoute's. */
export const gatewayListenerOwner = (namespace: string, gateway: string, listener: string): string => `Gateway:${namespace}/${gateway}#${listener}`;

export interface GatewayListenerOptions {
  bindPrivilegedPorts: boolean;
  /** The operator can seal private keys (SECRETS_ENCRYPTION_KEY): HTTPS listeners and their certificates are written. */
  pushCertificates: boolean;
  /** Whether the caches the listeners come from are loaded; until then the stored listeners are kept. Default: yes. */
  gatewaysKnown?: () => boolean;
}

/**
 * Adds the valid listeners of every live Gateway of the tenant to `desired`, with the certificates of the HTTPS
 * ones (left out when the operator cannot seal keys; the Gateway's status says so).
 */
export function addGatewayListeners(
  desired: DesiredConfig,
  tenantKey: string,
  caches: Pick<Caches, 'gatewayclasses' | 'gateways' | 'secrets' | 'referencegrants'>,
  options: GatewayListenerOptions,
): void {
  if (options.gatewaysKnown !== undefined && !options.gatewaysKnown()) {
    desired.keepListeners = true;
    return;
  }
  const grants = caches.referencegrants.list() as unknown as ReferenceGrantObject[];
  const secretOf = (namespace: string, name: string) => caches.secrets.get(`${namespace}/${name}`);
  const gateways = caches.gateways
    .list()
    .filter((gateway) => gateway.metadata.deletionTimestamp === undefined)
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || objectName(a).localeCompare(objectName(b)));
  for (const gateway of gateways) {
    const ownership = gatewayOwnership(gateway, caches);
    if (ownership.kind !== 'ours' || ownership.tenantKey !== tenantKey) continue;
    for (const verdict of evaluateGatewayListeners(gateway, { secretOf, grants, bindPrivilegedPorts: options.bindPrivilegedPorts })) {
      if (!isProgrammable(verdict.config, options.pushCertificates)) continue;
      const owner = gatewayListenerOwner(gateway.metadata.namespace ?? '', gateway.metadata.name, verdict.name);
      desired.listeners.set(verdict.config.name, { config: verdict.config, owner });
      for (const { name, cert, key } of verdict.certificates) if (!desired.certificates.has(name)) desired.certificates.set(name, { config: { name, cert, key }, owner });
    }
  }
}

/** Whether this operator writes the config listener: HTTP ones, and HTTPS ones when it can push certificates. */
export function isProgrammable(config: ListenerConfig | null, pushCertificates: boolean): config is ListenerConfig {
  return config !== null && (config.protocol === 'HTTP' || pushCertificates);
}

const objectName = (object: GatewayResource) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
