// Pure: what one Route resource asks of its tenant's config (a service and a route named k8s.<ns>.<name>),
// validated with the gateway's own schema, or why it cannot be accepted.
import { routeSchema, serviceSchema, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
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
  methods: 'spec.match.methods',
  hosts: 'spec.match.hosts',
};

// The fields copied as they are (absent stays absent, so a Route without them programs exactly what it did).
// The CRD's upstream and the gateway's service share field names; a service's `tls` is not in the CRD (it names
// certificates the operator cannot create).
const UPSTREAM_FIELDS = ['url', 'targets', 'connectTimeoutMs', 'timeoutMs', 'retries', 'http2', 'loadBalancing', 'healthChecks', 'circuitBreaker'] as const;
const ROUTE_SPEC_FIELDS = ['rateLimit', 'listeners', 'timeouts', 'retry'] as const;

function present<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const field of fields) if (source[field] !== undefined) picked[field] = source[field];
  return picked;
}

export function desiredRoute(route: RouteResource): Evaluation<{ service: ServiceConfig; route: RouteConfig }> {
  const name = operatorEntityName(route.metadata.namespace ?? '', route.metadata.name);
  const { spec } = route;
  const service = serviceSchema.safeParse({ name, ...present(spec.upstream, UPSTREAM_FIELDS) });
  if (!service.success) return { accepted: false, reason: 'Invalid', message: problemMessage(service.error, SERVICE_FIELDS, 'spec.upstream') };
  const parsed = routeSchema.safeParse({
    name,
    service: name,
    paths: spec.match.paths,
    methods: spec.match.methods ?? [],
    hosts: spec.match.hosts ?? [],
    stripPrefix: spec.stripPrefix ?? false,
    ...(spec.caseInsensitive === undefined ? {} : { caseInsensitive: spec.caseInsensitive }),
    auth: spec.auth ?? 'none',
    ...present(spec, ROUTE_SPEC_FIELDS),
  });
  if (!parsed.success) return { accepted: false, reason: 'Invalid', message: problemMessage(parsed.error, ROUTE_FIELDS, 'spec') };
  return { accepted: true, value: { service: service.data, route: parsed.data } };
}
