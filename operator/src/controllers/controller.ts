// What a controller declares (controller-runtime's SetupWithManager): the kind it reconciles, its reconcile, and
// the events it watches with the keys of its work queue each one asks for. operator.ts wires declarations only.
import type { Reconcile } from '../kube/queue.js';
import type {
  ConsumerResource,
  EndpointSliceResource,
  GatewayClassResource,
  GatewayResource,
  HttpRouteResource,
  KubeObject,
  NamespaceResource,
  NovaGatePolicyResource,
  ReferenceGrantResource,
  RouteResource,
  SecretResource,
  ServiceResource,
  TenantResource,
} from '../kube/resources.js';
import type { WatchEventType } from '../kube/watch.js';
import type { ControllerContext, Informers } from './context.js';
import type { Problem } from './evaluation.js';

/** A change of one cached object, as an informer reports it. */
export interface ObjectEvent<T extends KubeObject> {
  type: WatchEventType;
  object: T;
  previous: T | undefined;
}

/** A config sync changed the tenant's rows; `problems` are the resources (`namespace/name`) it left out, and why. */
export interface TenantConfigChange {
  tenant: TenantResource;
  problems: ReadonlyMap<string, Problem>;
}

/** Every source of events a controller can watch: the informers' kinds, and the config sync's changes. */
export interface SourceEvents {
  tenants: ObjectEvent<TenantResource>;
  routes: ObjectEvent<RouteResource>;
  consumers: ObjectEvent<ConsumerResource>;
  secrets: ObjectEvent<SecretResource>;
  gatewayclasses: ObjectEvent<GatewayClassResource>;
  gateways: ObjectEvent<GatewayResource>;
  httproutes: ObjectEvent<HttpRouteResource>;
  referencegrants: ObjectEvent<ReferenceGrantResource>;
  services: ObjectEvent<ServiceResource>;
  endpointslices: ObjectEvent<EndpointSliceResource>;
  namespaces: ObjectEvent<NamespaceResource>;
  novagatepolicies: ObjectEvent<NovaGatePolicyResource>;
  'tenant-config': TenantConfigChange;
}

export type Source = keyof SourceEvents;

/** What a watch may read besides its event: the caches, never the API server or the database. */
export type Caches = { readonly [K in keyof Informers]: Pick<Informers[K], 'get' | 'list'> };

export interface WatchOf<S extends Source> {
  source: S;
  /** Whether the event matters at all; absent, every event does. */
  when?: (event: SourceEvents[S]) => boolean;
  /** The keys of the controller's own queue the event asks to reconcile. Pure over the event and the caches. */
  keys: (event: SourceEvents[S], caches: Caches) => string[];
  /**
   * Add the keys this long after the event instead of at once; events arriving meanwhile join the pending add, so a
   * burst (EndpointSlices during a rollout) costs one reconcile per key and window.
   */
  delayMs?: number;
}

export type Watch = { [S in Source]: WatchOf<S> }[Source];

export type ControllerKind = 'tenant' | 'route' | 'consumer' | 'gatewayclass' | 'gateway' | 'httproute' | 'novagatepolicy';

export interface ControllerDeclaration {
  /** The work queue's name, and the `kind` label of its metrics. */
  kind: ControllerKind;
  /** The informer whose every object is reconciled again at each resync. */
  resource: 'tenants' | 'routes' | 'consumers' | 'gatewayclasses' | 'gateways' | 'httproutes' | 'novagatepolicies';
  reconciler: (context: ControllerContext) => Reconcile;
  watches: readonly Watch[];
}

/** The keys a watch asks for; [] when its `when` turns the event down. */
export function keysFor<S extends Source>(watch: WatchOf<S>, event: SourceEvents[S], caches: Caches): string[] {
  return watch.when === undefined || watch.when(event) ? watch.keys(event, caches) : [];
}
