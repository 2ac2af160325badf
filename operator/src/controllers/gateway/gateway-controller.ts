// Gateway reconcile (DESIGN §11). A Gateway of another controller's class is left alone. Of our class but the class
// not Accepted: Accepted=False InvalidParameters, and what it had in a tenant is released. Of an Accepted class of
// ours, in any namespace (its key is bound to it: the hub sends it only this Gateway's slice): the finalizer
// novagate.dev/gateway-cleanup first; its key Secret (gateway-key.ts); its valid listeners written into the class's
// Tenant by the config sync; the provisioner's data plane and addresses; the status (gateway-status.ts). On
// deletion: the key revoked, the data plane released, the listeners removed, the finalizer dropped.
import { tenantIdByKubernetesUid } from '@novagate/control-plane/tenancy';
import type { ReferenceGrantObject } from '../../gateway-api/reference-grant.js';
import { gatewayOwner } from '../../gateway-api/names.js';
import type { Reconcile } from '../../kube/queue.js';
import { ProvisionRefusedError } from '../../provisioner/provisioner.js';
import { isConflict, isNotFound, type GatewayResource } from '../../kube/resources.js';
import type { ControllerContext } from '../context.js';
import { keyOf } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import type { Problem } from '../evaluation.js';
import { ensureGatewayKey, gatewayEventTarget, GatewayKeyRefused, revokeGatewayKeys, TENANT_ANNOTATION, gatewayKeySecretName } from './gateway-key.js';
import { evaluateGatewayListeners } from './gateway-listeners.js';
import { attachedRoutes, nextGatewayStatus, notAcceptedGatewayStatus, programmedRecheckMs, type GatewayObservation } from './gateway-status.js';
import { gatewayListenerOwner, gatewayOwnership } from './gateway-tenant.js';
import { gatewayWatches } from './gateway-watches.js';

export const GATEWAY_FINALIZER = 'novagate.dev/gateway-cleanup';

export interface GatewayControllerOptions {
  /** The provisioner's gateway processes bind ports below 1024 themselves (no bindPort = port + 10000). */
  bindPrivilegedPorts: boolean;
  /** The operator seals certificate keys (SECRETS_ENCRYPTION_KEY): HTTPS listeners are written. */
  pushCertificates: boolean;
}

const hasFinalizer = (gateway: GatewayResource) => (gateway.metadata.finalizers ?? []).includes(GATEWAY_FINALIZER);

async function tenantIdOf(context: ControllerContext, tenantKey: string): Promise<string | null> {
  const tenant = context.informers.tenants.get(tenantKey);
  if (tenant === undefined || tenant.metadata.uid === undefined) return null;
  return tenantIdByKubernetesUid(context.pool, tenant.metadata.uid);
}

/** The Tenant whose key the Gateway's Secret holds (its class may have changed or gone since). */
async function keyTenantOf(context: ControllerContext, gateway: GatewayResource): Promise<string | null> {
  const secret = await context.kube.readSecret(gateway.metadata.namespace ?? '', gatewayKeySecretName(gateway.metadata.name));
  return secret?.metadata?.annotations?.[TENANT_ANNOTATION] ?? null;
}

/** Revokes the Gateway's key in a Tenant it no longer belongs to and removes its listeners there. */
async function leaveTenant(context: ControllerContext, gateway: GatewayResource, tenantKey: string): Promise<void> {
  const tenantId = await tenantIdOf(context, tenantKey);
  if (tenantId !== null) await revokeGatewayKeys(context, gateway, tenantId);
  await context.configSync.sync(tenantKey);
}

async function finalize(context: ControllerContext, gateway: GatewayResource, classTenantKey: string | null): Promise<void> {
  const tenants = new Set([classTenantKey, await keyTenantOf(context, gateway)].filter((key): key is string => key !== null));
  // The deleting Gateway is no longer desired: its listeners leave the tenant's config.
  for (const tenantKey of tenants) await leaveTenant(context, gateway, tenantKey);
  context.log.info('gateway released', { gateway: gatewayOwner(gateway.metadata.namespace ?? '', gateway.metadata.name), tenants: [...tenants] });
  await context.provisioner.release(gateway);
  await context.kube.setGatewayFinalizers(gateway, (gateway.metadata.finalizers ?? []).filter((finalizer) => finalizer !== GATEWAY_FINALIZER));
}

async function writeStatus(context: ControllerContext, gateway: GatewayResource, status: ReturnType<typeof nextGatewayStatus>): Promise<void> {
  if (status === null) return;
  try {
    await context.kube.patchGatewayStatus(gateway, status);
  } catch (error) {
    // Deleted meanwhile (its finalizer is done): nothing to say any more.
    if (!isNotFound(error)) throw error;
  }
}

export function createGatewayReconciler(context: ControllerContext, options: GatewayControllerOptions): Reconcile {
  const reconcile = reconcileGateway(context, options);
  return async (key) => {
    try {
      return await reconcile(key);
    } catch (error) {
      // Deleted since the cache saw it (its finalizer just dropped): nothing is left to do.
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
}

function reconcileGateway(context: ControllerContext, options: GatewayControllerOptions): Reconcile {
  /** Per Gateway key, how many times in a row it was looked at again for its address (the backoff's exponent). */
  const rechecks = new Map<string, number>();
  return async (key) => {
    let gateway = context.informers.gateways.get(key);
    if (gateway === undefined) {
      rechecks.delete(key);
      return;
    }
    const ownership = gatewayOwnership(gateway, context.informers);
    if (gateway.metadata.deletionTimestamp !== undefined) {
      rechecks.delete(key);
      if (hasFinalizer(gateway)) await finalize(context, gateway, ownership.kind === 'ours' ? ownership.tenantKey : null);
      return;
    }
    if (ownership.kind === 'not-ours') {
      // Moved to another controller's class: let go of what we made for it.
      if (hasFinalizer(gateway)) await finalize(context, gateway, null);
      return;
    }
    if (ownership.kind === 'class-not-accepted') {
      // Whatever it had in a tenant (key, listeners, data plane) goes: it is in no tenant now.
      if (hasFinalizer(gateway)) await finalize(context, gateway, null);
      await writeStatus(context, gateway, notAcceptedGatewayStatus(gateway, ownership.message, context.now()));
      return;
    }
    if (!hasFinalizer(gateway)) {
      try {
        gateway = await context.kube.setGatewayFinalizers(gateway, [...(gateway.metadata.finalizers ?? []), GATEWAY_FINALIZER]);
      } catch (error) {
        if (isConflict(error)) return; // changed meanwhile: the watch brings the new version
        throw error;
      }
    }
    const namespace = gateway.metadata.namespace ?? '';
    const verdicts = evaluateGatewayListeners(gateway, {
      secretOf: (secretNamespace, name) => context.informers.secrets.get(keyOf(secretNamespace, name)),
      grants: context.informers.referencegrants.list() as unknown as ReferenceGrantObject[],
      bindPrivilegedPorts: options.bindPrivilegedPorts,
    });
    const tenantId = await tenantIdOf(context, ownership.tenantKey);
    const observation: GatewayObservation = {
      verdicts,
      refused: new Map(),
      synced: false,
      attached: attachedRoutes(gateway, context.informers.httproutes.list(), (name) => context.informers.namespaces.get(`/${name}`)),
      addresses: [],
      pushCertificates: options.pushCertificates,
    };
    // Moved to a class of another Tenant (provisioned or not yet): the key and listeners it had there go.
    const previousTenant = await keyTenantOf(context, gateway);
    if (previousTenant !== null && previousTenant !== ownership.tenantKey) await leaveTenant(context, gateway, previousTenant);
    if (tenantId !== null) {
      let apiKey: string | null = null;
      try {
        apiKey = await ensureGatewayKey(context, gateway, ownership.tenantKey, tenantId);
      } catch (error) {
        if (!(error instanceof GatewayKeyRefused)) throw error;
        await context.kube.recordEvent(gatewayEventTarget(gateway), 'Warning', 'SecretConflict', error.message, context.now());
      }
      const synced = await context.configSync.sync(ownership.tenantKey);
      if (synced !== null && !synced.listenersKept) {
        const refused = new Map<string, Problem>();
        for (const verdict of verdicts) {
          const problem = synced.problems.get(gatewayListenerOwner(namespace, gateway.metadata.name, verdict.name));
          if (problem !== undefined) refused.set(verdict.name, problem);
        }
        observation.refused = refused;
        observation.synced = true;
      }
      if (apiKey !== null) {
        try {
          const provisioned = await context.provisioner.ensure(gateway, { apiKey, gatewayName: gatewayOwner(namespace, gateway.metadata.name) });
          observation.addresses = provisioned.addresses;
        } catch (error) {
          if (!(error instanceof ProvisionRefusedError)) throw error;
          observation.provisionRefused = error.message;
          if (!(gateway.status?.conditions ?? []).some((condition) => condition.type === 'Programmed' && condition.message.endsWith(error.message))) {
            await context.kube.recordEvent(gatewayEventTarget(gateway), 'Warning', 'ProvisionRefused', error.message, context.now());
          }
        }
      }
    }
    const status = nextGatewayStatus(gateway, observation, context.now());
    await writeStatus(context, gateway, status);
    const programmed = (status ?? gateway.status)?.conditions?.find((condition) => condition.type === 'Programmed');
    // Addresses arrive without an event on the Gateway: look again, less and less often, until it has one.
    const look = (rechecks.get(key) ?? 0) + 1;
    const recheckMs = programmedRecheckMs(programmed, tenantId !== null && !observation.synced, look, context.programmedPollMs);
    if (recheckMs === undefined) {
      rechecks.delete(key);
      return undefined;
    }
    rechecks.set(key, look);
    return { requeueAfterMs: recheckMs };
  };
}

export function gatewayController(options: GatewayControllerOptions): ControllerDeclaration {
  return { kind: 'gateway', resource: 'gateways', reconciler: (context) => createGatewayReconciler(context, options), watches: gatewayWatches };
}
