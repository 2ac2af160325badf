// Pure: what one Route resource asks of its tenant's config (a service and a route named k8s.<ns>.<name>),
// validated with the gateway's own schema, or why it cannot be accepted.
import { routeSchema, serviceSchema, type RouteConfig, type ServiceConfig } from '@novagate/gateway/config';
import { OPERATOR_NAME_PREFIX } from '@novagate/control-plane/tenancy';
import type { RouteResource } from '../../kube/resources.js';
import { problemMessage, type Evaluation } from '../evaluation.js';

export function operatorEntityName(namespace: string, name: string): string {
  return `${OPERATOR_NAME_PREFIX}${namespace}.${name}`;
}

const SERVICE_FIELDS: Record<string, string> = { name: 'metadata.name', url: 'spec.upstream.url' };
const ROUTE_FIELDS: Record<string, string> = {
  name: 'metadata.name',
  service: 'metadata.name',
  paths: 'spec.match.paths',
  methods: 'spec.match.methods',
  hosts: 'spec.match.hosts',
};

export function desiredRoute(route: RouteResource): Evaluation<{ service: ServiceConfig; route: RouteConfig }> {
  const name = operatorEntityName(route.metadata.namespace ?? '', route.metadata.name);
  const { spec } = route;
  const service = serviceSchema.safeParse({
    name,
    url: spec.upstream.url,
    ...(spec.upstream.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: spec.upstream.connectTimeoutMs }),
    ...(spec.upstream.timeoutMs === undefined ? {} : { timeoutMs: spec.upstream.timeoutMs }),
    ...(spec.upstream.retries === undefined ? {} : { retries: spec.upstream.retries }),
    ...(spec.upstream.http2 === undefined ? {} : { http2: spec.upstream.http2 }),
  });
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
    ...(spec.rateLimit === undefined ? {} : { rateLimit: spec.rateLimit }),
  });
  if (!parsed.success) return { accepted: false, reason: 'Invalid', message: problemMessage(parsed.error, ROUTE_FIELDS, 'spec') };
  return { accepted: true, value: { service: service.data, route: parsed.data } };
}
