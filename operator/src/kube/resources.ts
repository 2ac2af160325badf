// The three custom resources as TypeScript types, and the thin adapter through which the controllers read and
// write Kubernetes: status (subresource, merge patch), finalizers, Secrets, Events.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  Watch,
  type KubeConfig,
  type V1Secret,
} from '@kubernetes/client-node';
import type { Condition } from '../conditions.js';
import type { GatewayListener, ParentReference } from '../gateway-api/attach.js';
import type { ReferenceGrantObject } from '../gateway-api/reference-grant.js';
import type { EndpointSliceObject, ServicePort } from '../gateway-api/service-targets.js';
import type { PolicyFields, PolicyTargetReference } from '../gateway-api/policy-attachment.js';
import type { HttpRouteRule } from '../gateway-api/translate.js';
import type { ListResult, OpenWatch } from './watch.js';

export const GROUP = 'novagate.dev';
export const VERSION = 'v1alpha1';
export const FINALIZER = 'novagate.dev/cleanup';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface RateLimitSpec {
  limit: number;
  windowSeconds: number;
}

export interface TenantSpec {
  displayName: string;
  plan: 'free' | 'pro' | 'enterprise';
  ownerEmail: string;
  deletionPolicy: 'Retain' | 'Delete';
}

export interface TenantStatus {
  tenantId?: string;
  schema?: string;
  apiKeySecretName?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface TenantResource extends KubeObject {
  spec: TenantSpec;
  status?: TenantStatus;
}

/** A Route's upstream as the CRD holds it: exactly one of url and targets (the API server checks it). */
export interface RouteUpstreamSpec {
  url?: string;
  targets?: { url: string; weight?: number }[];
  connectTimeoutMs?: number;
  timeoutMs?: number;
  retries?: number;
  http2?: boolean;
  loadBalancing?: { algorithm?: string; hashOn?: { type: string; name?: string } };
  healthChecks?: {
    active?: { path?: string; intervalMs?: number; timeoutMs?: number; healthyThreshold?: number; unhealthyThreshold?: number };
    passive?: { consecutiveFailures?: number; ejectionMs?: number; maxEjectionPercent?: number };
  };
  circuitBreaker?: { maxConnections?: number; maxPendingRequests?: number };
}

/** One `match.headers` or `match.query` entry (the API server fills type: Exact). */
export interface RouteValueMatchSpec {
  name: string;
  value: string;
  type?: string;
}

export interface RouteSpec {
  tenantRef: { name: string };
  /** Exactly one of upstream and redirect (the API server checks it). */
  upstream?: RouteUpstreamSpec;
  /** At least one of paths and pathMatches (the API server checks it); the gateway takes them as one list, paths first. */
  match: {
    paths?: string[];
    pathMatches?: { type: string; value: string }[];
    methods?: string[];
    hosts?: string[];
    headers?: RouteValueMatchSpec[];
    query?: RouteValueMatchSpec[];
  };
  stripPrefix?: boolean;
  caseInsensitive?: boolean;
  auth?: 'none' | 'jwt' | 'key-auth' | 'basic-auth';
  jwt?: { providers: Record<string, unknown>[] };
  rateLimit?: RateLimitSpec & { by?: 'consumer' | 'ip' };
  listeners?: string[];
  timeouts?: { requestMs?: number; backendRequestMs?: number };
  retry?: { attempts: number; on?: string[]; backoffMs?: number };
  // The route policies the gateway config holds under the same names (gateway/src/config/schema.ts checks them).
  acl?: { allow?: string[]; deny?: string[] };
  ipRestriction?: { allow?: string[]; deny?: string[] };
  cors?: Record<string, unknown>;
  requestHeaders?: RouteHeaderEditsSpec;
  responseHeaders?: RouteHeaderEditsSpec;
  redirect?: { scheme?: string; hostname?: string; port?: number; path?: RoutePathModifierSpec; statusCode?: number };
  rewrite?: { hostname?: string; path?: RoutePathModifierSpec };
  preserveHost?: boolean;
  maxBodyBytes?: number;
}

export interface RouteHeaderEditsSpec {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface RoutePathModifierSpec {
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

/** One basic-auth credential of a Consumer: the password is read from a Secret of its namespace. */
export interface ConsumerBasicAuthSpec {
  username: string;
  passwordSecretRef: { name: string; key?: string };
}

export interface ConsumerSpec {
  tenantRef: { name: string };
  username: string;
  apiKeySecretRef?: { name: string; key?: string };
  jwtSubject?: string;
  jwtProvider?: string;
  rateLimit?: RateLimitSpec;
  groups?: string[];
  basicAuth?: ConsumerBasicAuthSpec[];
}

export interface ConfigStatus {
  observedGeneration?: number;
  configVersion?: number;
  /** The reason `kubectl get -o wide` shows: Accepted's when not accepted, else Programmed's. */
  reason?: string;
  conditions?: Condition[];
}

export interface RouteResource extends KubeObject {
  spec: RouteSpec;
  status?: ConfigStatus;
}

export interface ConsumerResource extends KubeObject {
  spec: ConsumerSpec;
  status?: ConfigStatus;
}

export interface SecretResource extends KubeObject {
  data?: Record<string, string>;
  type?: string;
}

/** Gateway API (v1.6.1, standard channel): the GatewayClass fields the operator reads and writes. */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_API_VERSION = 'v1';

export interface GatewayClassSpec {
  controllerName: string;
  parametersRef?: { group: string; kind: string; name: string; namespace?: string };
  description?: string;
}

export interface GatewayClassStatus {
  conditions?: Condition[];
  supportedFeatures?: { name: string }[];
}

export interface GatewayClassResource extends KubeObject {
  spec: GatewayClassSpec;
  status?: GatewayClassStatus;
}

/** A Secret (or other object) a listener's `tls.certificateRefs` names; group '' and kind Secret by default. */
export interface CertificateRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface GatewayListenerSpec extends GatewayListener {
  tls?: { mode?: 'Terminate' | 'Passthrough'; certificateRefs?: CertificateRef[] };
}

export interface GatewayAddressStatus {
  type?: string;
  value: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: { group?: string; kind: string }[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface GatewayStatus {
  addresses?: GatewayAddressStatus[];
  conditions?: Condition[];
  listeners?: ListenerStatus[];
}

/** A Gateway (v1): its class, its listeners (the Gateway controller turns them into config) and its status. */
export interface GatewayResource extends KubeObject {
  spec: {
    gatewayClassName: string;
    listeners: GatewayListenerSpec[];
    addresses?: { type?: string; value: string }[];
    infrastructure?: { parametersRef?: { group: string; kind: string; name: string } };
  };
  status?: GatewayStatus;
}

/** One `status.parents[]` entry of a route (Gateway API RouteParentStatus). */
export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface HttpRouteResource extends KubeObject {
  spec: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HttpRouteRule[] };
  status?: { parents?: RouteParentStatus[] };
}

/** One `status.ancestors[]` entry of a NovaGatePolicy (Gateway API PolicyAncestorStatus). */
export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

/** NovaGatePolicy (crds/novagatepolicy.yaml): Gateway API policy attachment of auth, acl, ipRestriction, rateLimit. */
export interface NovaGatePolicyResource extends KubeObject {
  spec: PolicyFields & { targetRefs: PolicyTargetReference[] };
  status?: { ancestors?: PolicyAncestorStatus[] };
}

export type ReferenceGrantResource = KubeObject & Pick<ReferenceGrantObject, 'spec'>;

export interface ServiceResource extends KubeObject {
  spec: { type?: string; ports?: ServicePort[] };
}

export type EndpointSliceResource = KubeObject & Omit<EndpointSliceObject, 'metadata'>;

export type NamespaceResource = KubeObject;

/** The namespaced Gateway API kinds the operator watches, with their served version. */
export const GATEWAY_API_KINDS = { gateways: 'v1', httproutes: 'v1', referencegrants: 'v1beta1' } as const;
export type GatewayApiKind = keyof typeof GATEWAY_API_KINDS;

export type CustomKind = 'tenants' | 'routes' | 'consumers';
/** Our optional kinds (their CRDs may be missing; the operator works without them). */
export type OptionalCustomKind = 'novagatepolicies';
export const KIND_OF: Record<CustomKind, string> = { tenants: 'Tenant', routes: 'Route', consumers: 'Consumer' };

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}
export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Everything the operator does to the Kubernetes API, in one place. */
export class KubeAccess {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  private readonly watcher: Watch;

  constructor(
    readonly kubeConfig: KubeConfig,
    /** '' = every namespace. */
    readonly namespace: string,
    private readonly component = 'novagate-operator',
    /** Told of every Event the API server did not take; the reconcile goes on regardless. */
    private readonly onEventFailed: (error: unknown, event: { kind: string; reason: string }) => void = () => undefined,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    this.watcher = new Watch(kubeConfig);
  }

  private collectionPath(group: string, version: string, plural: string): string {
    const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    return this.namespace === '' ? `${base}/${plural}` : `${base}/namespaces/${this.namespace}/${plural}`;
  }

  /**
   * Merge-patches the status fields given of a namespaced custom object, guarded by the resourceVersion the status
   * was computed from (409 when the object changed meanwhile).
   */
  private async patchStatusGuarded(kind: { group: string; version: string; plural: string }, object: KubeObject, status: object): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...kind,
        namespace: object.metadata.namespace ?? '',
        name: object.metadata.name,
        body: { metadata: { resourceVersion: object.metadata.resourceVersion }, status },
      },
      mergePatch(),
    );
  }

  private watchOf(path: string): OpenWatch {
    return async (query, onEvent, onDone) => {
      const controller = await this.watcher.watch(path, query, (type, object) => onEvent(type, object), onDone);
      return { abort: () => controller.abort() };
    };
  }

  customSource<T extends KubeObject>(plural: CustomKind | OptionalCustomKind): { list: () => Promise<ListResult<T>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result = (
          this.namespace === ''
            ? await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
            : await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural })
        ) as { items: T[]; metadata?: { resourceVersion?: string } };
        return { items: result.items, resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf(this.collectionPath(GROUP, VERSION, plural)),
    };
  }

  secretSource(): { list: () => Promise<ListResult<SecretResource>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result =
          this.namespace === ''
            ? await this.core.listSecretForAllNamespaces()
            : await this.core.listNamespacedSecret({ namespace: this.namespace });
        return { items: result.items as SecretResource[], resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf(this.collectionPath('', 'v1', 'secrets')),
    };
  }

  /** GatewayClasses are cluster-scoped: listed and watched cluster-wide whatever the operator's namespace. */
  gatewayClassSource(): { list: () => Promise<ListResult<GatewayClassResource>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result = (await this.custom.listClusterCustomObject({ group: GATEWAY_API_GROUP, version: GATEWAY_API_VERSION, plural: 'gatewayclasses' })) as {
          items: GatewayClassResource[];
          metadata?: { resourceVersion?: string };
        };
        return { items: result.items, resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf(`/apis/${GATEWAY_API_GROUP}/${GATEWAY_API_VERSION}/gatewayclasses`),
    };
  }

  /** A namespaced Gateway API kind, listed and watched in every namespace (the operator then watches them all). */
  gatewayApiSource<T extends KubeObject>(plural: GatewayApiKind): { list: () => Promise<ListResult<T>>; watch: OpenWatch } {
    const version = GATEWAY_API_KINDS[plural];
    return {
      list: async () => {
        const result = (await this.custom.listClusterCustomObject({ group: GATEWAY_API_GROUP, version, plural })) as { items: T[]; metadata?: { resourceVersion?: string } };
        return { items: result.items, resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf(`/apis/${GATEWAY_API_GROUP}/${version}/${plural}`),
    };
  }

  serviceSource(): { list: () => Promise<ListResult<ServiceResource>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result = await this.core.listServiceForAllNamespaces();
        return { items: result.items as ServiceResource[], resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf('/api/v1/services'),
    };
  }

  endpointSliceSource(): { list: () => Promise<ListResult<EndpointSliceResource>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result = await this.discovery.listEndpointSliceForAllNamespaces();
        return { items: result.items as unknown as EndpointSliceResource[], resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf('/apis/discovery.k8s.io/v1/endpointslices'),
    };
  }

  namespaceSource(): { list: () => Promise<ListResult<NamespaceResource>>; watch: OpenWatch } {
    return {
      list: async () => {
        const result = await this.core.listNamespace();
        return { items: result.items as NamespaceResource[], resourceVersion: result.metadata?.resourceVersion ?? '' };
      },
      watch: this.watchOf('/api/v1/namespaces'),
    };
  }

  /**
   * Replaces a NovaGatePolicy's `status.ancestors`, guarded by the resourceVersion it was computed from (409 when
   * another controller wrote its own entries meanwhile).
   */
  async replacePolicyAncestors(policy: NovaGatePolicyResource, ancestors: PolicyAncestorStatus[]): Promise<void> {
    await this.patchStatusGuarded({ group: GROUP, version: VERSION, plural: 'novagatepolicies' }, policy, { ancestors });
  }

  async patchGatewayStatus(gateway: GatewayResource, status: GatewayStatus): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      { group: GATEWAY_API_GROUP, version: GATEWAY_API_VERSION, plural: 'gateways', namespace: gateway.metadata.namespace ?? '', name: gateway.metadata.name, body: { status } },
      mergePatch(),
    );
  }

  /**
   * Replaces an HTTPRoute's `status.parents`, guarded by the resourceVersion it was computed from (409 when another
   * controller wrote its own entries meanwhile: the reconcile retries on fresh data and keeps theirs).
   */
  async replaceHttpRouteParents(route: HttpRouteResource, parents: RouteParentStatus[]): Promise<void> {
    await this.patchStatusGuarded({ group: GATEWAY_API_GROUP, version: GATEWAY_API_VERSION, plural: 'httproutes' }, route, { parents });
  }

  /** Replaces a Gateway's finalizer list, guarded by its resourceVersion (409 when it changed meanwhile). */
  async setGatewayFinalizers(gateway: GatewayResource, finalizers: string[]): Promise<GatewayResource> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        group: GATEWAY_API_GROUP,
        version: GATEWAY_API_VERSION,
        plural: 'gateways',
        namespace: gateway.metadata.namespace ?? '',
        name: gateway.metadata.name,
        body: { metadata: { finalizers, resourceVersion: gateway.metadata.resourceVersion } },
      },
      mergePatch(),
    )) as GatewayResource;
  }

  async patchGatewayClassStatus(name: string, status: GatewayClassStatus): Promise<void> {
    await this.custom.patchClusterCustomObjectStatus(
      { group: GATEWAY_API_GROUP, version: GATEWAY_API_VERSION, plural: 'gatewayclasses', name, body: { status } },
      mergePatch(),
    );
  }

  async patchStatus(plural: CustomKind, object: KubeObject, status: object): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, namespace: object.metadata.namespace ?? '', name: object.metadata.name, body: { status } },
      mergePatch(),
    );
  }

  /** Replaces the finalizer list, guarded by the object's resourceVersion (409 when someone changed it meanwhile). */
  async setFinalizers<T extends KubeObject>(plural: CustomKind, object: T, finalizers: string[]): Promise<T> {
    return (await this.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        plural,
        namespace: object.metadata.namespace ?? '',
        name: object.metadata.name,
        body: { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } },
      },
      mergePatch(),
    )) as T;
  }

  async readSecret(namespace: string, name: string): Promise<V1Secret | null> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async createSecret(body: V1Secret): Promise<V1Secret> {
    return this.core.createNamespacedSecret({ namespace: body.metadata?.namespace ?? '', body });
  }

  async replaceSecret(body: V1Secret): Promise<V1Secret> {
    return this.core.replaceNamespacedSecret({ namespace: body.metadata?.namespace ?? '', name: body.metadata?.name ?? '', body });
  }

  /** Records an Event on the object; best effort (an Event is never worth failing a reconcile for). */
  async recordEvent(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, now = new Date()): Promise<void> {
    const namespace = object.metadata.namespace ?? 'default';
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${object.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion ?? `${GROUP}/${VERSION}`,
            kind: object.kind,
            name: object.metadata.name,
            // A cluster-scoped object (GatewayClass) has no namespace; its Events live in namespace default.
            namespace: object.metadata.namespace,
            uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: this.component },
          reportingComponent: this.component,
          reportingInstance: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          // MicroTime wants exactly six fractional digits; a Date would go out with three and be refused (400).
          eventTime: new V1MicroTime(now),
          action: reason,
          count: 1,
        },
      });
    } catch (error) {
      // Events are informational; losing one must not fail or retry the reconcile, but it is counted and said.
      this.onEventFailed(error, { kind: object.kind ?? '', reason });
    }
  }
}
