// What the NovaGatePolicy controller watches: its own policies, the other policies of a namespace (which of two
// policies on one target wins moves with either), and the HTTPRoutes and Gateways policies target (a target
// appearing or going, a route's parents moving its ancestors).
import type { GatewayResource, HttpRouteResource, KubeObject, NovaGatePolicyResource } from '../../kube/resources.js';
import { objectKey } from '../../kube/watch.js';
import type { Caches, ObjectEvent, WatchOf } from '../controller.js';
import { specOrLifecycleChanged } from '../watches.js';

const eventObjects = <T extends KubeObject>({ object, previous }: ObjectEvent<T>): T[] => (previous === undefined ? [object] : [object, previous]);

const targets = (policy: NovaGatePolicyResource, kind: 'HTTPRoute' | 'Gateway', name: string) =>
  (policy.spec.targetRefs ?? []).some((ref) => ref.kind === kind && ref.name === name);

const policyKeys = (caches: Caches, keep: (policy: NovaGatePolicyResource) => boolean) => caches.novagatepolicies.list().filter(keep).map(objectKey);

export const ownPolicies: WatchOf<'novagatepolicies'> = { source: 'novagatepolicies', when: specOrLifecycleChanged, keys: ({ object }) => [objectKey(object)] };

/** A policy created, changed or deleted: the other policies of its namespace (a Conflicted one may win now). */
export const policiesOfNamespace: WatchOf<'novagatepolicies'> = {
  source: 'novagatepolicies',
  when: specOrLifecycleChanged,
  keys: ({ object }, caches) => policyKeys(caches, (policy) => policy.metadata.namespace === object.metadata.namespace && policy.metadata.name !== object.metadata.name),
};

/** An HTTPRoute created, deleted or re-parented: the policies targeting it. */
export const policiesOfHttpRoute: WatchOf<'httproutes'> = {
  source: 'httproutes',
  when: specOrLifecycleChanged,
  keys: (event, caches) =>
    policyKeys(caches, (policy) => eventObjects<HttpRouteResource>(event).some((route) => route.metadata.namespace === policy.metadata.namespace && targets(policy, 'HTTPRoute', route.metadata.name))),
};

/** A Gateway created, deleted or changed (its listeners, its class): the policies targeting it or a route naming it. */
export const policiesOfGateway: WatchOf<'gateways'> = {
  source: 'gateways',
  when: specOrLifecycleChanged,
  keys: (event, caches) => {
    const gateways = eventObjects<GatewayResource>(event);
    const routes = caches.httproutes
      .list()
      .filter((route) => (route.spec.parentRefs ?? []).some((ref) => gateways.some((gateway) => (ref.namespace ?? route.metadata.namespace) === gateway.metadata.namespace && ref.name === gateway.metadata.name)));
    return policyKeys(
      caches,
      (policy) =>
        gateways.some((gateway) => gateway.metadata.namespace === policy.metadata.namespace && targets(policy, 'Gateway', gateway.metadata.name)) ||
        routes.some((route) => route.metadata.namespace === policy.metadata.namespace && targets(policy, 'HTTPRoute', route.metadata.name)),
    );
  },
};
