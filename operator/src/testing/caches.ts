// Caches for tests of watches: the informers' get and list over fixed arrays of objects.
import type { Caches } from '../controllers/controller.js';
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
import { objectKey } from '../kube/watch.js';

function cacheOf<T extends KubeObject>(objects: readonly T[]): { get(key: string): T | undefined; list(): T[] } {
  return { get: (key) => objects.find((object) => objectKey(object) === key), list: () => [...objects] };
}

export function cachesOf(objects: {
  tenants?: TenantResource[];
  routes?: RouteResource[];
  consumers?: ConsumerResource[];
  secrets?: SecretResource[];
  gatewayclasses?: GatewayClassResource[];
  gateways?: GatewayResource[];
  httproutes?: HttpRouteResource[];
  referencegrants?: ReferenceGrantResource[];
  services?: ServiceResource[];
  endpointslices?: EndpointSliceResource[];
  namespaces?: NamespaceResource[];
  novagatepolicies?: NovaGatePolicyResource[];
}): Caches {
  return {
    tenants: cacheOf(objects.tenants ?? []),
    routes: cacheOf(objects.routes ?? []),
    consumers: cacheOf(objects.consumers ?? []),
    secrets: cacheOf(objects.secrets ?? []),
    gatewayclasses: cacheOf(objects.gatewayclasses ?? []),
    gateways: cacheOf(objects.gateways ?? []),
    httproutes: cacheOf(objects.httproutes ?? []),
    referencegrants: cacheOf(objects.referencegrants ?? []),
    services: cacheOf(objects.services ?? []),
    endpointslices: cacheOf(objects.endpointslices ?? []),
    namespaces: cacheOf(objects.namespaces ?? []),
    novagatepolicies: cacheOf(objects.novagatepolicies ?? []),
  };
}
