// Pure: a Gateway's status (Gateway API v1.6.1) from its listeners' verdicts, what the config sync did with them,
// the HTTPRoutes attached to each listener and the provisioner's addresses. Conditions carry the Gateway's
// generation; a status that already says it all is not written again.
import { jsonEqual, setCondition, type Condition, type ConditionInput } from '../../conditions.js';
import { attachToGateway, refersToGateway, type GatewayObject } from '../../gateway-api/attach.js';
import type { GatewayAddressStatus, GatewayResource, GatewayStatus, HttpRouteResource, ListenerStatus, NamespaceResource } from '../../kube/resources.js';
import type { Problem } from '../evaluation.js';
import type { ListenerVerdict } from './gateway-listeners.js';
import { isProgrammable } from './gateway-tenant.js';

/** How many HTTPRoutes attach to each listener of the Gateway (by listener name), by their parentRefs. */
export function attachedRoutes(gateway: GatewayResource, routes: readonly HttpRouteResource[], namespaceOf: (name: string) => NamespaceResource | undefined): Map<string, number> {
  const counts = new Map<string, number>(gateway.spec.listeners.map((listener) => [listener.name, 0]));
  const target = gateway as unknown as GatewayObject;
  for (const route of routes) {
    if (route.metadata.deletionTimestamp !== undefined) continue;
    const routeNamespace = route.metadata.namespace ?? '';
    const attachedTo = new Set<string>();
    for (const ref of route.spec.parentRefs ?? []) {
      if (!refersToGateway(ref, routeNamespace, target)) continue;
      const attachment = attachToGateway(ref, { namespace: routeNamespace, hostnames: route.spec.hostnames ?? [], namespaceLabels: namespaceOf(routeNamespace)?.metadata.labels ?? {} }, target);
      if (attachment.accepted) for (const listener of attachment.listeners) attachedTo.add(listener);
    }
    for (const listener of attachedTo) counts.set(listener, (counts.get(listener) ?? 0) + 1);
  }
  return counts;
}

export interface GatewayObservation {
  verdicts: readonly ListenerVerdict[];
  /** Problems the config sync reported, by listener name (a refused write). */
  refused: ReadonlyMap<string, Problem>;
  /** Whether the tenant's config holds the Gateway's listeners (the sync ran and succeeded). */
  synced: boolean;
  attached: ReadonlyMap<string, number>;
  addresses: readonly GatewayAddressStatus[];
  /** Whether the operator pushes certificates (HTTPS listeners are written). */
  pushCertificates: boolean;
  /** Why the provisioner refused the Gateway's data plane (an object of its name not the Gateway's, bad parameters). */
  provisionRefused?: string;
}

function listenerProgrammed(verdict: ListenerVerdict, observation: GatewayObservation): ConditionInput {
  if (verdict.invalid !== null) return { type: 'Programmed', status: 'False', reason: 'Invalid', message: verdict.invalid };
  if (!isProgrammable(verdict.config, observation.pushCertificates)) {
    return { type: 'Programmed', status: 'False', reason: 'Pending', message: 'HTTPS listeners need the operator to seal their keys: set its SECRETS_ENCRYPTION_KEY' };
  }
  const refused = observation.refused.get(verdict.name);
  if (refused !== undefined) return { type: 'Programmed', status: 'False', reason: 'Invalid', message: `the tenant's config refused the listener: ${refused.message}` };
  if (!observation.synced) return { type: 'Programmed', status: 'False', reason: 'Pending', message: "the tenant's config is not written yet" };
  return { type: 'Programmed', status: 'True', reason: 'Programmed', message: `config listener ${verdict.config.name}` };
}

/** The Gateway's Accepted condition when its class is ours and Accepted. */
function gatewayAccepted(verdicts: readonly ListenerVerdict[]): ConditionInput {
  const invalid = verdicts.filter((verdict) => verdict.invalid !== null).map((verdict) => verdict.name);
  if (invalid.length === 0) return { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'the Gateway is accepted' };
  return { type: 'Accepted', status: 'True', reason: 'ListenersNotValid', message: `listeners ${invalid.join(', ')} are not valid; see status.listeners` };
}

function gatewayProgrammed(observation: GatewayObservation, listeners: readonly { name: string; programmed: ConditionInput }[]): ConditionInput {
  const programmed = listeners.filter((listener) => listener.programmed.status === 'True');
  if (observation.provisionRefused !== undefined) return { type: 'Programmed', status: 'False', reason: 'Invalid', message: `no data plane: ${observation.provisionRefused}` };
  const pending = listeners.filter((listener) => listener.programmed.status !== 'True' && listener.programmed.reason === 'Pending');
  if (programmed.length === 0 && pending.length > 0) return { type: 'Programmed', status: 'False', reason: 'Pending', message: 'no listener is programmed yet' };
  if (observation.addresses.length === 0) return { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned', message: 'the provisioner reports no address yet' };
  // A Gateway whose listeners are all invalid still has its data plane and address: what it was given is programmed
  // (nothing to serve), and each listener's own Programmed=False says why (as upstream's readiness checks expect).
  if (programmed.length === 0) return { type: 'Programmed', status: 'True', reason: 'Programmed', message: `the data plane runs; none of its ${listeners.length} listeners is valid (see status.listeners)` };
  return { type: 'Programmed', status: 'True', reason: 'Programmed', message: `${programmed.length} of ${listeners.length} listeners are in the tenant's config` };
}

/**
 * Requested `spec.addresses` are never assigned: a data plane takes the address its Service (or the local provisioner)
 * gives it. Saying so (Programmed=False, AddressNotUsable) beats silently serving elsewhere than asked.
 */
function addressesNotUsable(gateway: GatewayResource): ConditionInput | null {
  const requested = gateway.spec.addresses ?? [];
  if (requested.length === 0) return null;
  return {
    type: 'Programmed',
    status: 'False',
    reason: 'AddressNotUsable',
    message: `spec.addresses (${requested.map((address) => address.value).join(', ')}) cannot be used: NovaGate's data plane takes the address its Service gives it; remove spec.addresses (status.addresses says where it serves)`,
  };
}

/** The status to write for a Gateway of an Accepted class of ours, or null when it already says it. */
export function nextGatewayStatus(gateway: GatewayResource, observation: GatewayObservation, now: Date): GatewayStatus | null {
  const generation = gateway.metadata.generation ?? 0;
  const previousListeners = new Map((gateway.status?.listeners ?? []).map((listener) => [listener.name, listener]));
  const evaluated = observation.verdicts.map((verdict) => ({ verdict, programmed: listenerProgrammed(verdict, observation) }));
  const listeners: ListenerStatus[] = evaluated.map(({ verdict, programmed }) => {
    let conditions: Condition[] | undefined = previousListeners.get(verdict.name)?.conditions;
    for (const condition of [verdict.accepted, verdict.resolvedRefs, verdict.conflicted, programmed]) conditions = setCondition(conditions, condition, generation, now);
    return { name: verdict.name, supportedKinds: verdict.supportedKinds, attachedRoutes: observation.attached.get(verdict.name) ?? 0, conditions: conditions ?? [] };
  });
  let conditions = setCondition(gateway.status?.conditions, gatewayAccepted(observation.verdicts), generation, now);
  conditions = setCondition(conditions, addressesNotUsable(gateway) ?? gatewayProgrammed(observation, evaluated.map(({ verdict, programmed }) => ({ name: verdict.name, programmed }))), generation, now);
  const next: GatewayStatus = { ...(gateway.status ?? {}), addresses: [...observation.addresses], conditions, listeners };
  return jsonEqual(gateway.status ?? {}, next) ? null : next;
}

/** The status of a Gateway of our class whose class is not Accepted: Accepted=False InvalidParameters, nothing programmed. */
export function notAcceptedGatewayStatus(gateway: GatewayResource, message: string, now: Date): GatewayStatus | null {
  const generation = gateway.metadata.generation ?? 0;
  let conditions = setCondition(gateway.status?.conditions, { type: 'Accepted', status: 'False', reason: 'InvalidParameters', message }, generation, now);
  conditions = setCondition(conditions, { type: 'Programmed', status: 'False', reason: 'Invalid', message: 'the Gateway is not accepted' }, generation, now);
  const next: GatewayStatus = { ...(gateway.status ?? {}), conditions };
  return jsonEqual(gateway.status ?? {}, next) ? null : next;
}

/** The longest wait between two looks at a Gateway whose data plane has no address yet. */
export const PROGRAMMED_RECHECK_CAP_MS = 60_000;

/**
 * How long to wait before looking at a Gateway that is not Programmed again, or undefined: only while nothing else
 * will tell us, i.e. its data plane has no address yet (AddressNotAssigned), or its tenant is provisioned but the
 * config sync kept the stored listeners (caches still loading). Every other reason (invalid or HTTPS-pending
 * listeners, a refused data plane, an unprovisioned Tenant) changes only through an event the Gateway watches.
 * `look` is the number of the look to come (1-based): base · 2^(look-1), capped.
 */
export function programmedRecheckMs(
  programmed: { status: string; reason: string } | undefined,
  waitingForSync: boolean,
  look: number,
  baseMs: number,
): number | undefined {
  if (programmed?.status === 'True') return undefined;
  if (programmed?.reason !== 'AddressNotAssigned' && !waitingForSync) return undefined;
  return Math.min(PROGRAMMED_RECHECK_CAP_MS, baseMs * 2 ** Math.min(Math.max(look - 1, 0), 30));
}
