// Pure: what one Route resource asks of its tenant's config (a service and a route named k8s.<ns>.<name>; a
// redirect Route has no upstream and so no service),
// validated with the gateway's own schema, or why it cannot be accepted.
import { routeSchema, serviceSchema, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
import type { z } from 'zod';
import { OPERATOR_NAME_PREFIX } from '@novagate/control-plane/tenancy';
import type { RouteResource } from '../../kube/resources.js';
import { problemMessage, type Evaluation } from '../evaluation.js';

export function operatorEntityName(namespace: string, name: string): string {
  return `${OPERATOR_NAME_PREFIX}${namespace}.${name}`;
}

const SERVICE_FIELDS: Record<string, string> = { name: 'metadata.name' };
const ROUTE_FIELDS: Record<string, string> = {
  name: 'metadata.name',
  service: 'metadata.name',
  paths: 'spec.match.paths',
  pathMatches: 'spec.match.pathMatches',
  methods: 'spec.match.methods',
  hosts: 'spec.match.hosts',
};

// The fields copied as they are (absent stays absent, so a Route without them programs exactly what it did).
// The CRD's upstream and the gateway's service share field names; a service's `tls` is not in the CRD (it names
// certificates the operator cannot create).
const UPSTREAM_FIELDS = ['url', 'targets', 'connectTimeoutMs', 'timeoutMs', 'retries', 'http2', 'loadBalancing', 'healthChecks', 'circuitBreaker'] as const;
// (auth, jwt, acl, ipRestriction and rateLimit are ATTACHABLE_POLICY_FIELDS below.)
const ROUTE_SPEC_FIELDS = [
  'listeners',
  'timeouts',
  'retry',
  'cors',
  'requestHeaders',
  'responseHeaders',
  'redirect',
  'rewrite',
  'preserveHost',
  'maxBodyBytes',
] as const;

/**
 * The fields a NovaGatePolicy shares with the Route (DESIGN §11): who may call and how often. Both resources hold
 * them in the same shapes, and both become gateway config by this one function (absent stays absent).
 */
export const ATTACHABLE_POLICY_FIELDS = ['auth', 'jwt', 'acl', 'ipRestriction', 'rateLimit'] as const;
export type AttachablePolicySpec = Partial<Pick<RouteResource['spec'], (typeof ATTACHABLE_POLICY_FIELDS)[number]>>;

export function attachablePolicyFields(spec: AttachablePolicySpec): AttachablePolicySpec {
  return present(spec, ATTACHABLE_POLICY_FIELDS);
}

/** What the Route contributes: its service (none for a redirect Route without upstream) and its route. */
export interface DesiredRoute {
  service: ServiceConfig | null;
  route: RouteConfig;
}

/**
 * The gateway's one `paths` list is the CRD's `match.paths` (strings) then `match.pathMatches` (objects: a CRD
 * schema must be structural, so the two forms live in two fields). A problem at `paths[i]` is renamed to the
 * field it came from.
 */
function pathsIssuePath(issue: z.core.$ZodIssue, stringCount: number): PropertyKey[] {
  const [head, index, ...rest] = issue.path;
  if (head !== 'paths' || typeof index !== 'number' || index < stringCount) return issue.path;
  return ['pathMatches', index - stringCount, ...rest];
}

/** `match.headers` and `match.query` as the gateway takes them; absent when the Route has neither. */
function matchConditions(match: RouteResource['spec']['match']): { match?: { headers?: unknown[]; query?: unknown[] } } {
  if (match.headers === undefined && match.query === undefined) return {};
  return { match: { ...(match.headers === undefined ? {} : { headers: match.headers }), ...(match.query === undefined ? {} : { query: match.query }) } };
}

function present<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
  return picked;
}

/** The Route's service, null for a redirect Route without upstream, or why it has none it can use. */
function desiredService(name: string, spec: RouteResource['spec']): Evaluation<ServiceConfig | null> {
  if (spec.upstream === undefined) {
    if (spec.redirect === undefined) return { accepted: false, reason: 'Invalid', message: 'spec.upstream: required unless spec.redirect is set' };
    return { accepted: true, value: null };
  }
  const service = serviceSchema.safeParse({ name, ...present(spec.upstream, UPSTREAM_FIELDS) });
  if (!service.success) return { accepted: false, reason: 'Invalid', message: problemMessage(service.error, SERVICE_FIELDS, 'spec.upstream') };
  return { accepted: true, value: service.data };
}

export function desiredRoute(route: RouteResource): Evaluation<DesiredRoute> {
  const name = operatorEntityName(route.metadata.namespace ?? '', route.metadata.name);
  const { spec } = route;
  const service = desiredService(name, spec);
  if (!service.accepted) return service;
  const parsed = routeSchema.safeParse({
    name,
    ...(service.value === null ? {} : { service: name }),
    paths: [...(spec.match.paths ?? []), ...(spec.match.pathMatches ?? [])],
    methods: spec.match.methods ?? [],
    hosts: spec.match.hosts ?? [],
    stripPrefix: spec.stripPrefix ?? false,
    ...(spec.caseInsensitive === undefined ? {} : { caseInsensitive: spec.caseInsensitive }),
    auth: spec.auth ?? 'none',
    ...present(spec, ROUTE_SPEC_FIELDS),
    ...attachablePolicyFields(spec),
    ...matchConditions(spec.match),
  });
  if (!parsed.success) {
    const stringCount = spec.match.paths?.length ?? 0;
    const issues = parsed.error.issues.map((issue) => ({ ...issue, path: pathsIssuePath(issue, stringCount) }));
    return { accepted: false, reason: 'Invalid', message: problemMessage({ issues }, ROUTE_FIELDS, 'spec') };
  }
  return { accepted: true, value: { service: service.value, route: parsed.data } };
}
