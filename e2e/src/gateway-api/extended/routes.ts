// Pure: the HTTPRoutes of NovaGate's own Extended checks, built from the Gateway API spec (v1 HTTPRoute) in our own
// names. Each attaches to the base manifests' `same-namespace` Gateway and sends to the base echo Services of
// gateway-conformance-infra; each has its own hostname under `extended.novagate.test`, so every check's routes can
// be applied together and run side by side without one matching another's requests.
import { INFRA_NS, SAME_NAMESPACE_GATEWAY } from '../conformance-test.js';
import type { ManifestObject } from '../backends.js';

/** An HTTPRoute match (Gateway API v1), the fields these checks use. */
export interface HttpRouteMatch {
  path?: { type: 'Exact' | 'PathPrefix'; value: string };
  headers?: { name: string; value: string }[];
  queryParams?: { type?: 'Exact'; name: string; value: string }[];
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';
}

type PathModifier = { type: 'ReplaceFullPath'; replaceFullPath: string } | { type: 'ReplacePrefixMatch'; replacePrefixMatch: string };
type HeaderEdits = { set?: { name: string; value: string }[]; add?: { name: string; value: string }[]; remove?: string[] };

/** An HTTPRoute filter (Gateway API v1), the kinds these checks use. */
export type HttpRouteFilter =
  | { type: 'ResponseHeaderModifier'; responseHeaderModifier: HeaderEdits }
  | { type: 'RequestRedirect'; requestRedirect: { scheme?: 'http' | 'https'; hostname?: string; path?: PathModifier; port?: number; statusCode?: 301 | 302 | 303 | 307 | 308 } }
  | { type: 'URLRewrite'; urlRewrite: { hostname?: string; path?: PathModifier } }
  | { type: 'RequestMirror'; requestMirror: { backendRef: { name: EchoService; port: number } } }
  | {
      type: 'CORS';
      cors: { allowOrigins?: string[]; allowMethods?: string[]; allowHeaders?: string[]; exposeHeaders?: string[]; allowCredentials?: boolean; maxAge?: number };
    };

/** The base echo Services the checks may send to (base-manifests.yaml), each with its HTTP port 8080. */
export const ECHO_SERVICES = ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3'] as const;
export type EchoService = (typeof ECHO_SERVICES)[number];

/** infra-backend-v1's ports beside 8080: h2c and WebSocket (base-manifests.yaml). */
export const INFRA_V1_H2C_PORT = 8081;
export const INFRA_V1_WEBSOCKET_PORT = 8082;

export const ROUTE_NAME_PREFIX = 'novagate-extended-';
export const HOST_SUFFIX = '.extended.novagate.test';

export interface BackendRefSpec {
  name: EchoService;
  port?: number;
  weight?: number;
}

export interface RuleSpec {
  matches?: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: BackendRefSpec[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface HttpRouteManifest extends ManifestObject {
  metadata: { name: string; namespace: string };
  spec: {
    parentRefs: { name: string; namespace?: string }[];
    hostnames: string[];
    rules: (Omit<RuleSpec, 'backendRefs'> & { backendRefs?: { name: string; port: number; weight?: number }[] })[];
  };
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The hostname of a check's route: `<label>.extended.novagate.test`. */
export function checkHostname(label: string): string {
  if (!DNS_LABEL.test(label)) throw new Error(`route label '${label}' must be one lower-case DNS label`);
  return `${label}${HOST_SUFFIX}`;
}

/**
 * An HTTPRoute named `novagate-extended-<label>` for host `<label>.extended.novagate.test`, attached to the
 * `same-namespace` Gateway; backendRefs get port 8080 unless they name another. Throws naming the field when a
 * label or rule would give the API server an object it refuses.
 */
export function extendedRoute(label: string, rules: readonly RuleSpec[]): HttpRouteManifest {
  const hostname = checkHostname(label);
  if (rules.length === 0) throw new Error(`route ${label}: rules must not be empty`);
  if (rules.length > 16) throw new Error(`route ${label}: rules has ${rules.length} entries, the Gateway API allows 16`);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `${ROUTE_NAME_PREFIX}${label}`, namespace: INFRA_NS },
    spec: {
      parentRefs: [{ name: SAME_NAMESPACE_GATEWAY.name }],
      hostnames: [hostname],
      rules: rules.map((rule, index) => {
        for (const ref of rule.backendRefs ?? []) {
          if (!(ECHO_SERVICES as readonly string[]).includes(ref.name)) throw new Error(`route ${label}: rules[${index}].backendRefs names '${ref.name}', not a base echo Service`);
        }
        const { backendRefs, ...rest } = rule;
        return backendRefs === undefined ? rest : { ...rest, backendRefs: backendRefs.map((ref) => ({ ...ref, port: ref.port ?? 8080 })) };
      }),
    },
  };
}

/** The route's namespace/name, as the status checks take it. */
export const routeName = (route: HttpRouteManifest) => ({ namespace: route.metadata.namespace, name: route.metadata.name });
