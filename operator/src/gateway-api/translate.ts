// Pure: one Gateway API HTTPRoute (v1.6.1, standard channel) as the routes of DESIGN §10. Each rule and each of its
// matches becomes one route named `gwapi.<ns>.<name>.<hash>.<rule>.<match>`; filters become the route's policy
// fields; backendRefs become weighted `backends`, an unresolved one an `invalid` entry that answers 500 for its
// share (as the spec says). Every route is validated with the gateway's own schema here, so one bad HTTPRoute is
// refused on its own and never gets its tenant's config refused. Resolving references (Services, EndpointSlices,
// ReferenceGrants) is the caller's: it passes `resolveBackend`.
import { routeSchema, type RouteConfig } from '@novagate/gateway/config';
import { httpRouteNameStem } from './names.js';
import { isPolicyExtensionRef } from './policy-attachment.js';

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

interface HeaderModifier {
  set?: { name: string; value: string }[];
  add?: { name: string; value: string }[];
  remove?: string[];
}

interface PathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HttpRouteFilter {
  type: 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestRedirect' | 'URLRewrite' | 'RequestMirror' | 'CORS' | 'ExtensionRef' | string;
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestRedirect?: { scheme?: string; hostname?: string; path?: PathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: PathModifier };
  requestMirror?: { backendRef: BackendObjectReference; percent?: number; fraction?: { numerator: number; denominator?: number } };
  cors?: {
    allowOrigins?: string[];
    allowCredentials?: boolean;
    allowMethods?: string[];
    allowHeaders?: string[];
    exposeHeaders?: string[];
    maxAge?: number;
  };
  extensionRef?: { group: string; kind: string; name: string };
}

export interface HttpRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: { type?: 'Exact' | 'RegularExpression'; name: string; value: string }[];
  queryParams?: { type?: 'Exact' | 'RegularExpression'; name: string; value: string }[];
  method?: string;
}

export interface HttpBackendRef extends BackendObjectReference {
  weight?: number;
  filters?: HttpRouteFilter[];
}

export interface HttpRouteRule {
  name?: string;
  matches?: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: HttpBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface HttpRouteObject {
  metadata: { namespace: string; name: string };
  spec: { hostnames?: string[]; rules?: HttpRouteRule[] };
}

/** Why a reference did not resolve, with the upstream `ResolvedRefs` reason. */
export interface RefProblem {
  reason: 'BackendNotFound' | 'RefNotPermitted' | 'InvalidKind' | 'UnsupportedValue';
  message: string;
}

export type BackendResolution = { service: string } | RefProblem;

export interface TranslationInput {
  route: HttpRouteObject;
  /** The config listeners the route attached to (names in the tenant's config). */
  listeners: readonly string[];
  /** The route's hostnames after intersection with those listeners' hostnames; empty: any host. */
  hostnames: readonly string[];
  /** A backendRef (of a rule, a backend filter or a mirror) as a config service, or why not. */
  resolveBackend(ref: BackendObjectReference, routeNamespace: string): BackendResolution;
  /**
   * The NovaGatePolicy fields (auth, jwt, acl, ipRestriction, rateLimit) of a rule's routes, given the name of the
   * policy an ExtensionRef filter of the rule names, or why that reference does not resolve (the rule answers 500).
   * Absent: an ExtensionRef to a NovaGatePolicy is unsupported, as any other ExtensionRef.
   */
  policyFields?(extensionRef: string | undefined): { fields: Record<string, unknown> } | { problem: RefProblem };
}

export interface Translation {
  routes: RouteConfig[];
  /** The first unresolved reference (ResolvedRefs=False with its reason); undefined when all resolved. */
  refProblem: RefProblem | undefined;
  /** A value the gateway refuses (Accepted=False, reason UnsupportedValue); the routes are then empty. */
  invalid: string | undefined;
}

const DURATION = /^(?:[0-9]{1,5}(?:h|m|s|ms)){1,4}$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** A Gateway API Duration (GEP-2257: `1h`, `10s`, `500ms`, `1m30s`) in milliseconds, or undefined when malformed. */
export function durationMs(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(amount) * (UNIT_MS[unit as string] as number);
  return total;
}

function headerEdits(modifier: HeaderModifier | undefined): Record<string, unknown> | undefined {
  if (modifier === undefined) return undefined;
  const edits: Record<string, unknown> = {};
  if (modifier.set !== undefined && modifier.set.length > 0) edits.set = Object.fromEntries(modifier.set.map((h) => [h.name, h.value]));
  if (modifier.add !== undefined && modifier.add.length > 0) edits.add = Object.fromEntries(modifier.add.map((h) => [h.name, h.value]));
  if (modifier.remove !== undefined && modifier.remove.length > 0) edits.remove = modifier.remove;
  return edits;
}

function pathModifier(path: PathModifier | undefined): Record<string, string> | undefined {
  if (path === undefined) return undefined;
  if (path.type === 'ReplaceFullPath') return { replaceFullPath: path.replaceFullPath ?? '/' };
  return { replacePrefixMatch: path.replacePrefixMatch ?? '/' };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** A mirror's share of requests in percent with at most 2 decimals (`fraction` rounded down, never up). */
function mirrorPercent(mirror: NonNullable<HttpRouteFilter['requestMirror']>): number | undefined {
  if (mirror.percent !== undefined) return mirror.percent;
  if (mirror.fraction === undefined) return undefined;
  const denominator = mirror.fraction.denominator ?? 100;
  return Math.floor((mirror.fraction.numerator * 10_000) / denominator) / 100;
}

interface RuleFields {
  fields: Record<string, unknown>;
  refProblem: RefProblem | undefined;
  /** A filter the gateway cannot carry out: the rule answers 500 (never skipped). */
  unsupported: string | undefined;
  /** The NovaGatePolicy an ExtensionRef filter names (only when the caller takes policy references). */
  policyRef?: string | undefined;
}

function ruleFilterFields(filters: readonly HttpRouteFilter[], namespace: string, resolve: TranslationInput['resolveBackend'], takesPolicyRefs = false): RuleFields {
  const fields: Record<string, unknown> = {};
  const mirrors: { service: string; percent?: number }[] = [];
  let refProblem: RefProblem | undefined;
  let unsupported: string | undefined;
  let policyRef: string | undefined;
  for (const filter of filters) {
    if (takesPolicyRefs && filter.type === 'ExtensionRef' && isPolicyExtensionRef(filter.extensionRef)) {
      if (policyRef !== undefined) unsupported ??= 'a rule takes at most one ExtensionRef to a NovaGatePolicy';
      policyRef ??= filter.extensionRef?.name;
      continue;
    }
    switch (filter.type) {
      case 'RequestHeaderModifier':
        fields.requestHeaders = headerEdits(filter.requestHeaderModifier);
        break;
      case 'ResponseHeaderModifier':
        fields.responseHeaders = headerEdits(filter.responseHeaderModifier);
        break;
      case 'RequestRedirect': {
        const redirect = filter.requestRedirect ?? {};
        fields.redirect = withoutUndefined({ scheme: redirect.scheme, hostname: redirect.hostname, port: redirect.port, path: pathModifier(redirect.path), statusCode: redirect.statusCode });
        break;
      }
      case 'URLRewrite':
        fields.rewrite = withoutUndefined({ hostname: filter.urlRewrite?.hostname, path: pathModifier(filter.urlRewrite?.path) });
        break;
      case 'RequestMirror': {
        const mirror = filter.requestMirror;
        if (mirror === undefined) break;
        const resolved = resolve(mirror.backendRef, namespace);
        if ('service' in resolved) {
          const percent = mirrorPercent(mirror);
          mirrors.push(percent === undefined ? { service: resolved.service } : { service: resolved.service, percent });
        } else refProblem ??= resolved;
        break;
      }
      case 'CORS': {
        const cors = filter.cors ?? {};
        fields.cors = withoutUndefined({
          allowOrigins: cors.allowOrigins ?? [],
          allowCredentials: cors.allowCredentials,
          allowMethods: cors.allowMethods,
          allowHeaders: cors.allowHeaders,
          exposeHeaders: cors.exposeHeaders,
          maxAgeSeconds: cors.maxAge,
        });
        break;
      }
      default:
        // ExtensionRef (NovaGatePolicy) and any filter type this release does not know: the spec forbids
        // skipping it, so the rule answers 500 instead.
        unsupported ??= filter.type === 'ExtensionRef' ? `ExtensionRef to ${filter.extensionRef?.kind ?? 'an unknown kind'} is not supported` : `filter type ${filter.type} is not supported`;
    }
  }
  if (mirrors.length > 0) fields.mirrors = mirrors;
  return { fields, refProblem, unsupported, policyRef };
}

function backendFields(refs: readonly HttpBackendRef[], namespace: string, resolve: TranslationInput['resolveBackend']): { backends: Record<string, unknown>[]; refProblem: RefProblem | undefined; unsupported: string | undefined } {
  let refProblem: RefProblem | undefined;
  let unsupported: string | undefined;
  const backends = refs.map((ref) => {
    const weight = ref.weight ?? 1;
    const resolved = resolve(ref, namespace);
    if (!('service' in resolved)) {
      refProblem ??= resolved;
      return { invalid: true, weight };
    }
    const filters = ruleFilterFields(ref.filters ?? [], namespace, resolve);
    refProblem ??= filters.refProblem;
    unsupported ??= filters.unsupported;
    // A backend carries header modifiers only; any other filter there is never dropped silently: the rule answers 500.
    const other = (ref.filters ?? []).find((filter) => filter.type !== 'RequestHeaderModifier' && filter.type !== 'ResponseHeaderModifier');
    if (other !== undefined) unsupported ??= `filter type ${other.type} on a backendRef is not supported`;
    return withoutUndefined({ service: resolved.service, weight, requestHeaders: filters.fields.requestHeaders, responseHeaders: filters.fields.responseHeaders });
  });
  return { backends, refProblem, unsupported };
}

function matchFields(match: HttpRouteMatch): Record<string, unknown> {
  const path = { type: match.path?.type ?? 'PathPrefix', value: match.path?.value ?? '/' };
  const conditions = withoutUndefined({
    headers: match.headers?.map((h) => ({ name: h.name, value: h.value, type: h.type ?? 'Exact' })),
    query: match.queryParams?.map((q) => ({ name: q.name, value: q.value, type: q.type ?? 'Exact' })),
  });
  return withoutUndefined({
    paths: [path],
    methods: match.method === undefined ? undefined : [match.method],
    match: Object.keys(conditions).length === 0 ? undefined : conditions,
  });
}

function timeoutFields(timeouts: HttpRouteRule['timeouts']): { timeouts?: Record<string, number>; problem?: string } {
  if (timeouts === undefined) return {};
  const result: Record<string, number> = {};
  for (const [field, key] of [['request', 'requestMs'], ['backendRequest', 'backendRequestMs']] as const) {
    const value = timeouts[field];
    if (value === undefined) continue;
    const ms = durationMs(value);
    if (ms === undefined) return { problem: `timeouts.${field} '${value}' is not a duration (like 10s or 500ms)` };
    result[key] = ms;
  }
  return Object.keys(result).length === 0 ? {} : { timeouts: result };
}

/** The routes one HTTPRoute asks for, in rule and match order, each checked with the gateway's schema. */
export function translateHttpRoute(input: TranslationInput): Translation {
  const { route } = input;
  const namespace = route.metadata.namespace;
  const stem = httpRouteNameStem(namespace, route.metadata.name);
  const routes: RouteConfig[] = [];
  let refProblem: RefProblem | undefined;
  const rules = route.spec.rules ?? [{}];
  for (const [ruleIndex, rule] of rules.entries()) {
    const filters = ruleFilterFields(rule.filters ?? [], namespace, input.resolveBackend, input.policyFields !== undefined);
    const backends = backendFields(rule.backendRefs ?? [], namespace, input.resolveBackend);
    // NovaGatePolicy fields (policy-attachment.ts); an unresolved ExtensionRef to one makes the rule answer 500.
    const attached = input.policyFields?.(filters.policyRef) ?? { fields: {} };
    const policyProblem = 'problem' in attached ? attached.problem : undefined;
    refProblem ??= filters.refProblem ?? backends.refProblem ?? policyProblem;
    const timeouts = timeoutFields(rule.timeouts);
    if (timeouts.problem !== undefined) return { routes: [], refProblem, invalid: `spec.rules[${ruleIndex}].${timeouts.problem}` };
    const unsupported = filters.unsupported ?? backends.unsupported ?? policyProblem?.message;
    // Where requests go: a redirect answers itself; an unsupported filter or no backend at all answers 500.
    const destination =
      unsupported !== undefined || filters.fields.redirect !== undefined || backends.backends.length === 0 ? {} : { backends: backends.backends };
    const policy = unsupported === undefined ? { ...filters.fields, ...('fields' in attached ? attached.fields : {}) } : {};
    const matches = rule.matches === undefined || rule.matches.length === 0 ? [{}] : rule.matches;
    for (const [matchIndex, match] of matches.entries()) {
      const candidate = {
        name: `${stem}.${ruleIndex}.${matchIndex}`,
        ...matchFields(match),
        ...(input.hostnames.length === 0 ? {} : { hosts: [...input.hostnames] }),
        listeners: [...input.listeners],
        ...destination,
        ...policy,
        ...(timeouts.timeouts === undefined ? {} : { timeouts: timeouts.timeouts }),
        // Gateway API sends the client's Host upstream unless a filter rewrites it.
        preserveHost: true,
      };
      const parsed = routeSchema.safeParse(candidate);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue === undefined ? '' : issue.path.join('.');
        return { routes: [], refProblem, invalid: `spec.rules[${ruleIndex}]${matches.length > 1 ? `.matches[${matchIndex}]` : ''}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}` };
      }
      routes.push(parsed.data);
    }
  }
  return { routes, refProblem, invalid: undefined };
}
