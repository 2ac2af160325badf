// What every controller receives: the Kubernetes adapter, the database, the caches of the watched kinds, the
// per-tenant config sync, a clock and a logger. Built once in operator.ts; no module-level state.
import type { Pool } from 'pg';
import type {
  ConsumerResource,
  EndpointSliceResource,
  GatewayClassResource,
  GatewayResource,
  HttpRouteResource,
  KubeAccess,
  NovaGatePolicyResource,
  NamespaceResource,
  ReferenceGrantResource,
  RouteResource,
  SecretResource,
  ServiceResource,
  TenantResource,
} from '../kube/resources.js';
import type { GatewayProvisioner } from '../provisioner/provisioner.js';
import type { Informer } from '../kube/watch.js';
import type { Logger } from '../telemetry/logger.js';
import type { ConfigSyncer } from './config-sync/tenant-config.js';

export interface Informers {
  tenants: Informer<TenantResource>;
  routes: Informer<RouteResource>;
  consumers: Informer<ConsumerResource>;
  secrets: Informer<SecretResource>;
  /** Cluster-scoped; idle (never started) when the operator watches one namespace. */
  gatewayclasses: Informer<GatewayClassResource>;
  // Gateway API (idle like gatewayclasses): what HTTPRoutes attach to and resolve their backends with.
  gateways: Informer<GatewayResource>;
  httproutes: Informer<HttpRouteResource>;
  referencegrants: Informer<ReferenceGrantResource>;
  services: Informer<ServiceResource>;
  endpointslices: Informer<EndpointSliceResource>;
  /** Cluster-scoped: their labels select routes' namespaces for allowedRoutes. */
  namespaces: Informer<NamespaceResource>;
  /** Our optional kind (idle like the Gateway API's): auth and rate limits attached to HTTPRoutes and Gateways. */
  novagatepolicies: Informer<NovaGatePolicyResource>;
}

export interface ControllerContext {
  kube: KubeAccess;
  pool: Pool;
  informers: Informers;
  configSync: ConfigSyncer;
  now: () => Date;
  log: Logger;
  /** '' when the operator watches every namespace, else the one it watches. */
  watchNamespace: string;
  /** How soon to look again at an object waiting for gateways (acks arrive in the database, not as events). */
  programmedPollMs: number;
  /** Starts each Gateway's data plane and tells its addresses (provisioner/provisioner.ts). */
  provisioner: GatewayProvisioner;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;
