// The checks the conformance tests are made of, after upstream's conformance/utils (v1.6.1): statuses read from
// the API server (Gateway addresses and listeners, HTTPRoute parents and conditions, each only once its
// observedGeneration is current) and requests to the gateway compared with what the echo backends saw. Every check
// polls until it holds or the test's deadline passes; then it throws Unmet naming the expectation and what was seen.
import type { KubeClient } from './kube-client.js';
import { roundTrip, compareRoundTrip, type ExpectedResponse } from './round-trip.js';

export const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface NamespacedName {
  namespace: string;
  name: string;
}

export interface ConditionExpectation {
  type: string;
  /** '' matches any status. */
  status: string;
  /** '' matches any reason. */
  reason: string;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
  observedGeneration?: number;
}

interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
}

export interface RouteParentStatus {
  parentRef: ParentRef;
  controllerName: string;
  conditions?: Condition[];
}

interface ListenerStatus {
  name: string;
  supportedKinds?: { group?: string; kind: string }[];
  attachedRoutes: number;
  conditions?: Condition[];
}

interface Gateway {
  metadata: { generation?: number };
  spec: { listeners: { name: string; port: number }[] };
  status?: { addresses?: { type?: string; value: string }[]; conditions?: Condition[]; listeners?: ListenerStatus[] };
}

interface HTTPRoute {
  metadata: { generation?: number };
  status?: { parents?: RouteParentStatus[] };
}

export interface ExpectedListener {
  name: string;
  supportedKinds: { group?: string; kind: string }[];
  attachedRoutes: number;
  conditions: ConditionExpectation[];
}

/** An expectation that did not hold by the deadline: the test fails with this message. */
export class Unmet extends Error {}

/** What a test's checks run with. */
export interface CheckContext {
  kube: KubeClient;
  controllerName: string;
  /** Epoch ms after which every check gives up. */
  deadline: number;
  pollMs: number;
  /** Successive matching answers a request check needs (upstream: 3). */
  consecutiveSuccesses: number;
}

type Probe<T> = { ok: true; value: T } | { ok: false; seen: string };

/** Polls `probe` until it holds; past the deadline, throws Unmet with `what` and the last thing seen. */
export async function eventually<T>(context: CheckContext, what: string, probe: () => Promise<Probe<T>>): Promise<T> {
  let seen = 'nothing yet';
  for (;;) {
    try {
      const result = await probe();
      if (result.ok) return result.value;
      seen = result.seen;
    } catch (error) {
      seen = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() + context.pollMs > context.deadline) throw new Unmet(`${what}; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, context.pollMs));
  }
}

const label = (nn: NamespacedName): string => `${nn.namespace}/${nn.name}`;

/** The conditions written for an older generation of the object (upstream FilterStaleConditions). */
export function staleConditions(generation: number | undefined, conditions: readonly Condition[] | undefined): Condition[] {
  return (conditions ?? []).filter((condition) => condition.observedGeneration !== (generation ?? 0));
}

export function conditionFound(conditions: readonly Condition[] | undefined, expected: ConditionExpectation): boolean {
  return (conditions ?? []).some(
    (condition) => condition.type === expected.type && (expected.status === '' || condition.status === expected.status) && (expected.reason === '' || condition.reason === expected.reason),
  );
}

export function conditionsMatch(expected: readonly ConditionExpectation[], actual: readonly Condition[] | undefined): boolean {
  return (actual ?? []).length >= expected.length && expected.every((condition) => conditionFound(actual, condition));
}

const describeConditions = (conditions: readonly Condition[] | undefined): string =>
  (conditions ?? []).length === 0 ? 'no conditions' : (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}@${c.observedGeneration ?? '?'}`).join(', ');

async function readGateway(context: CheckContext, gateway: NamespacedName): Promise<Gateway> {
  const object = await context.kube.get<Gateway>(GATEWAY_API, 'Gateway', gateway.name, gateway.namespace);
  if (object === null) throw new Error(`Gateway ${label(gateway)} does not exist`);
  return object;
}

async function readRoute(context: CheckContext, route: NamespacedName): Promise<HTTPRoute> {
  const object = await context.kube.get<HTTPRoute>(GATEWAY_API, 'HTTPRoute', route.name, route.namespace);
  if (object === null) throw new Error(`HTTPRoute ${label(route)} does not exist`);
  return object;
}

/** The Gateway's address as host:port (the named listener's port, else the first listener's): WaitForGatewayAddress. */
export function gatewayAddress(context: CheckContext, gateway: NamespacedName, listenerName?: string): Promise<string> {
  return eventually(context, `Gateway ${label(gateway)} has an address in status.addresses, with conditions of its current generation`, async () => {
    const object = await readGateway(context, gateway);
    const stale = staleConditions(object.metadata.generation, object.status?.conditions);
    if (stale.length > 0) return { ok: false, seen: `stale conditions (${describeConditions(object.status?.conditions)}; generation ${object.metadata.generation})` };
    const listener = object.spec.listeners.find((candidate) => candidate.name === listenerName) ?? object.spec.listeners[0];
    const address = (object.status?.addresses ?? []).find((candidate) => candidate.type !== undefined);
    if (address === undefined || listener === undefined) return { ok: false, seen: `status.addresses ${JSON.stringify(object.status?.addresses ?? [])}` };
    const host = address.value.includes(':') ? `[${address.value}]` : address.value;
    return { ok: true, value: `${host}:${listener.port}` };
  });
}

/** Whether `actual` has, for each expected parent, one of the same controller, parentRef and matching conditions. */
export function parentsMatch(expected: readonly RouteParentStatus[], actual: readonly RouteParentStatus[], namespaceRequired: boolean): boolean {
  return expected.every((want) =>
    actual.some(
      (got) =>
        got.controllerName === want.controllerName &&
        (got.parentRef.group ?? GATEWAY_GROUP) === (want.parentRef.group ?? GATEWAY_GROUP) &&
        (got.parentRef.kind ?? 'Gateway') === (want.parentRef.kind ?? 'Gateway') &&
        got.parentRef.name === want.parentRef.name &&
        (got.parentRef.namespace === want.parentRef.namespace || (!namespaceRequired && got.parentRef.namespace === undefined)) &&
        conditionsMatch(
          (want.conditions ?? []).map(({ type, status, reason }) => ({ type, status, reason })),
          got.conditions,
        ),
    ),
  );
}

const describeParents = (parents: readonly RouteParentStatus[] | undefined): string =>
  (parents ?? []).length === 0
    ? 'no status.parents'
    : (parents ?? []).map((parent) => `${parent.controllerName} ${parent.parentRef.namespace ?? ''}/${parent.parentRef.name}: ${describeConditions(parent.conditions)}`).join('; ');

/** HTTPRouteMustHaveParents: every expected parent status is there, with conditions of the route's generation. */
export function routeMustHaveParents(context: CheckContext, route: NamespacedName, parents: RouteParentStatus[], namespaceRequired: boolean): Promise<void> {
  return eventually(context, `HTTPRoute ${label(route)} has parents ${describeParents(parents)}`, async () => {
    const object = await readRoute(context, route);
    const actual = object.status?.parents ?? [];
    if (actual.some((parent) => staleConditions(object.metadata.generation, parent.conditions).length > 0)) return { ok: false, seen: `stale: ${describeParents(actual)}` };
    return parentsMatch(parents, actual, namespaceRequired) ? { ok: true, value: undefined } : { ok: false, seen: describeParents(actual) };
  });
}

export function gatewayParent(context: CheckContext, gateway: NamespacedName, conditions: ConditionExpectation[]): RouteParentStatus {
  return {
    parentRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace, name: gateway.name },
    controllerName: context.controllerName,
    conditions: conditions.map((condition) => ({ ...condition })),
  };
}

const ACCEPTED: ConditionExpectation = { type: 'Accepted', status: 'True', reason: 'Accepted' };

/** The listeners (all, or those named) have the conditions. */
export function listenersMustHaveConditions(context: CheckContext, gateway: NamespacedName, conditions: ConditionExpectation[], names: string[] = []): Promise<void> {
  return eventually(context, `Gateway ${label(gateway)} listeners ${names.join(',') || '(all)'} have ${conditions.map((c) => `${c.type}=${c.status}`).join(', ')}`, async () => {
    const object = await readGateway(context, gateway);
    const listeners = (object.status?.listeners ?? []).filter((listener) => names.length === 0 || names.includes(listener.name));
    if (listeners.length === 0) return { ok: false, seen: 'no status.listeners' };
    const failing = listeners.find((listener) => !conditionsMatch(conditions, listener.conditions));
    return failing === undefined ? { ok: true, value: undefined } : { ok: false, seen: `listener ${failing.name}: ${describeConditions(failing.conditions)}` };
  });
}

/**
 * GatewayAndHTTPRoutesMustBeAccepted: the Gateway has an address, each route is Accepted by it under our
 * controllerName, and its listeners are ResolvedRefs, Accepted and Programmed. Returns host:port of the Gateway.
 */
export async function gatewayAndRoutesAccepted(context: CheckContext, gateway: NamespacedName, routes: NamespacedName[], listenerNames: string[] = []): Promise<string> {
  const address = await gatewayAddress(context, gateway, listenerNames[0]);
  for (const route of routes) {
    await routeMustHaveParents(context, route, [gatewayParent(context, gateway, [ACCEPTED])], route.namespace !== gateway.namespace);
  }
  await listenersMustHaveConditions(
    context,
    gateway,
    [
      { type: 'ResolvedRefs', status: 'True', reason: '' },
      { type: 'Accepted', status: 'True', reason: '' },
      { type: 'Programmed', status: 'True', reason: '' },
    ],
    listenerNames,
  );
  return address;
}

/** HTTPRouteMustHaveCondition: the route's parent status for the Gateway has the condition. */
export function routeMustHaveCondition(context: CheckContext, route: NamespacedName, gateway: NamespacedName, condition: ConditionExpectation): Promise<void> {
  return eventually(context, `HTTPRoute ${label(route)} has ${condition.type}=${condition.status} (${condition.reason || 'any reason'}) for Gateway ${label(gateway)}`, async () => {
    const object = await readRoute(context, route);
    const parents = object.status?.parents ?? [];
    if (parents.some((parent) => staleConditions(object.metadata.generation, parent.conditions).length > 0)) return { ok: false, seen: `stale: ${describeParents(parents)}` };
    const found = parents.some(
      (parent) =>
        parent.parentRef.name === gateway.name && (parent.parentRef.namespace === undefined || parent.parentRef.namespace === gateway.namespace) && conditionFound(parent.conditions, condition),
    );
    return found ? { ok: true, value: undefined } : { ok: false, seen: describeParents(parents) };
  });
}

export const routeResolvedRefs = (context: CheckContext, route: NamespacedName, gateway: NamespacedName): Promise<void> =>
  routeMustHaveCondition(context, route, gateway, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' });

/** HTTPRouteMustHaveLatestConditions: every parent's conditions carry the route's current generation. */
export function routeMustHaveLatestConditions(context: CheckContext, route: NamespacedName): Promise<void> {
  return eventually(context, `HTTPRoute ${label(route)} has conditions of its current generation`, async () => {
    const object = await readRoute(context, route);
    const parents = object.status?.parents ?? [];
    const stale = parents.some((parent) => staleConditions(object.metadata.generation, parent.conditions).length > 0);
    return stale ? { ok: false, seen: `generation ${object.metadata.generation}: ${describeParents(parents)}` } : { ok: true, value: undefined };
  });
}

/** HTTPRouteMustHaveNoAcceptedParents: no parents (seen twice), or exactly one whose Accepted is False. */
export async function routeMustHaveNoAcceptedParents(context: CheckContext, route: NamespacedName): Promise<void> {
  let emptySeen = false;
  await eventually(context, `HTTPRoute ${label(route)} has no accepted parents`, async () => {
    const object = await readRoute(context, route);
    const parents = object.status?.parents ?? [];
    if (parents.length === 0) {
      if (emptySeen) return { ok: true, value: undefined };
      emptySeen = true;
      return { ok: false, seen: 'no parents yet (looking again, as upstream does)' };
    }
    if (parents.length > 1) return { ok: false, seen: describeParents(parents) };
    if (staleConditions(object.metadata.generation, parents[0]!.conditions).length > 0) return { ok: false, seen: `stale: ${describeParents(parents)}` };
    return conditionsMatch([{ type: 'Accepted', status: 'False', reason: '' }], parents[0]!.conditions) ? { ok: true, value: undefined } : { ok: false, seen: describeParents(parents) };
  });
}

/** GatewayMustHaveZeroRoutes: no listener status, or exactly one with attachedRoutes 0. */
export function gatewayMustHaveZeroRoutes(context: CheckContext, gateway: NamespacedName): Promise<void> {
  return eventually(context, `Gateway ${label(gateway)} has zero attached routes`, async () => {
    const object = await readGateway(context, gateway);
    if (staleConditions(object.metadata.generation, object.status?.conditions).length > 0) return { ok: false, seen: 'stale Gateway conditions' };
    const listeners = object.status?.listeners ?? [];
    if (listeners.length === 0 || (listeners.length === 1 && listeners[0]!.attachedRoutes === 0)) return { ok: true, value: undefined };
    return { ok: false, seen: JSON.stringify(listeners.map((listener) => ({ name: listener.name, attachedRoutes: listener.attachedRoutes }))) };
  });
}

/** GatewayStatusMustHaveListeners: exactly these listeners, with their kinds, attached route counts and conditions. */
export function gatewayMustHaveListeners(context: CheckContext, gateway: NamespacedName, expected: ExpectedListener[]): Promise<void> {
  return eventually(context, `Gateway ${label(gateway)} has listeners ${expected.map((l) => `${l.name}(attachedRoutes ${l.attachedRoutes})`).join(', ')}`, async () => {
    const object = await readGateway(context, gateway);
    if (staleConditions(object.metadata.generation, object.status?.conditions).length > 0) return { ok: false, seen: 'stale Gateway conditions' };
    const actual = object.status?.listeners ?? [];
    const seen = JSON.stringify(actual.map((l) => ({ name: l.name, attachedRoutes: l.attachedRoutes, kinds: l.supportedKinds, conditions: describeConditions(l.conditions) })));
    if (actual.length !== expected.length) return { ok: false, seen };
    const matches = expected.every((want) => {
      const got = actual.find((listener) => listener.name === want.name);
      if (got === undefined) return false;
      if (want.supportedKinds.length === 0 && (got.supportedKinds ?? []).length !== 0) return false;
      const kindsOk = want.supportedKinds.every((kind) => (got.supportedKinds ?? []).some((candidate) => (candidate.group ?? GATEWAY_GROUP) === (kind.group ?? GATEWAY_GROUP) && candidate.kind === kind.kind));
      return kindsOk && got.attachedRoutes === want.attachedRoutes && conditionsMatch(want.conditions, got.conditions);
    });
    return matches ? { ok: true, value: undefined } : { ok: false, seen };
  });
}

const EXCLUDED_FROM_READINESS = 'gateway-api/skip-this-for-readiness';

interface GatewayListItem extends Gateway {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
}

interface PodListItem {
  metadata: { name: string; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** NamespacesMustBeReady: every Gateway there Accepted and Programmed (current generation), every Pod Ready. */
export function namespacesMustBeReady(context: CheckContext, namespaces: string[]): Promise<void> {
  return eventually(context, `namespaces ${namespaces.join(', ')} are ready (Gateways Accepted and Programmed, Pods Ready)`, async () => {
    for (const namespace of namespaces) {
      const gateways = await context.kube.list<GatewayListItem>(GATEWAY_API, 'Gateway', namespace);
      for (const gateway of gateways) {
        if (gateway.metadata.annotations?.[EXCLUDED_FROM_READINESS] === 'true') continue;
        const conditions = gateway.status?.conditions;
        const ready =
          staleConditions(gateway.metadata.generation, conditions).length === 0 &&
          conditionFound(conditions, { type: 'Accepted', status: 'True', reason: '' }) &&
          conditionFound(conditions, { type: 'Programmed', status: 'True', reason: '' });
        if (!ready) return { ok: false, seen: `Gateway ${namespace}/${gateway.metadata.name}: ${describeConditions(conditions)}` };
      }
      const pods = await context.kube.list<PodListItem>('v1', 'Pod', namespace);
      if (pods.length === 0) return { ok: false, seen: `no Pods in ${namespace}` };
      const notReady = pods.find(
        (pod) => !(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && pod.status?.phase !== 'Succeeded' && pod.metadata.deletionTimestamp === undefined,
      );
      if (notReady !== undefined) return { ok: false, seen: `Pod ${namespace}/${notReady.metadata.name} not Ready` };
    }
    return { ok: true, value: undefined };
  });
}

/** MakeRequestAndExpectEventuallyConsistentResponse: `consecutiveSuccesses` answers in a row match `expected`. */
export async function expectResponse(context: CheckContext, gatewayAddress: string, expected: ExpectedResponse): Promise<void> {
  let streak = 0;
  const name = `${expected.request.method ?? 'GET'} ${expected.request.host ?? ''}${expected.request.path}${expected.request.headers ? ` ${JSON.stringify(expected.request.headers)}` : ''}`;
  await eventually(context, `request ${name} answers as expected ${consecutiveLabel(context)}`, async () => {
    const mismatch = compareRoundTrip(expected, await roundTrip(gatewayAddress, expected.request, expected.backendSetResponseHeaders, Math.max(1_000, Math.min(10_000, context.deadline - Date.now()))));
    if (mismatch !== null) {
      streak = 0;
      return { ok: false, seen: mismatch };
    }
    streak++;
    return streak >= context.consecutiveSuccesses ? { ok: true, value: undefined } : { ok: false, seen: `${streak} matching answer(s) in a row` };
  });
}

const consecutiveLabel = (context: CheckContext): string => `(${context.consecutiveSuccesses} times in a row)`;

/** Runs request checks one after another (upstream runs them in parallel subtests; the first failure is reported). */
export async function expectResponses(context: CheckContext, gatewayAddress: string, cases: ExpectedResponse[]): Promise<void> {
  for (const expected of cases) await expectResponse(context, gatewayAddress, expected);
}
