// The one schema of a gateway configuration (DESIGN §4): the standalone file, the pushed snapshot and the
// control plane's admin API all validate with it, and its TypeScript types come from it.
import { z } from 'zod';
import { certificatePemProblem } from './certificate-pem.js';
import { MAX_REGEX_CHARS, MAX_REGEX_PATHS_PER_CONFIG, PATH_MATCH_TYPES, regexProblem } from '../routing/path-match.js';
import { MAX_VALUE_MATCHES, VALUE_MATCH_TYPES } from '../routing/request-match.js';
import { jwtConsumerProblems, jwtProviderNameSchema, jwtRouteProblems, jwtRouteSchema } from '../policies/jwt/schema.js';
import { aclSchema, consumerGroupsSchema } from '../policies/acl/schema.js';
import { corsSchema } from '../policies/cors/schema.js';
import { ipRestrictionSchema } from '../policies/ip-restriction/schema.js';
import { redirectSchema } from '../policies/redirect/schema.js';
import { headerEditsSchema } from '../policies/request-headers/schema.js';
import { preserveHostSchema, rewriteSchema } from '../policies/rewrite/schema.js';
import { allPathsArePrefixes, ENTITY_NAME_PATTERN } from '../policies/schema-patterns.js';
import { basicAuthSchema, basicAuthUsernameProblems } from '../policies/basic-auth/schema.js';
import { backendsSchema } from '../policies/traffic-split/schema.js';
import { mirrorsSchema } from '../policies/mirror/schema.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;
export const AUTH_KINDS = ['none', 'jwt', 'key-auth', 'basic-auth'] as const;

/** Names of services and routes (DNS-label-like, dots allowed so the operator can use `k8s.<ns>.<name>`): one pattern for every name. */
export { ENTITY_NAME_PATTERN };
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
/** A route's host (DESIGN §10): a hostname, or one with a leading `*.` label (one or more labels). */
const ROUTE_HOST_PATTERN = /^(?:\*\.)?(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** One literal path segment: RFC 3986 pchar without ':' at the start (that would be a parameter). */
const LITERAL_SEGMENT_PATTERN = /^[A-Za-z0-9\-._~!$&'()+,;=@%][A-Za-z0-9\-._~!$&'()+,;=@%:]*$/;
const PARAM_SEGMENT_PATTERN = /^:[A-Za-z_][A-Za-z0-9_]*$/;

const entityName = (what: string) =>
  z.string().regex(ENTITY_NAME_PATTERN, {
    message: `${what} must be 1-128 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit`,
  });

/** Checks a route path pattern (`/users/:id`, `/v1/*`, `/`) and returns why it is invalid, or null. */
export function pathPatternProblem(pattern: string): string | null {
  if (!pattern.startsWith('/')) return "must start with '/'";
  if (pattern.length > 1024) return 'must be at most 1024 characters';
  if (pattern === '/' || pattern === '/*') return null;
  const segments = pattern.slice(1).split('/');
  const seenParams = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const isLast = i === segments.length - 1;
    if (segment === '*') {
      if (!isLast) return "'*' is only allowed as the last segment ('/prefix/*')";
      continue;
    }
    if (segment === '') {
      if (isLast) return null; // a trailing slash is part of the literal path
      return "must not contain empty segments ('//')";
    }
    if (segment === '.' || segment === '..') return "must not contain '.' or '..' segments";
    if (segment.startsWith(':')) {
      if (!PARAM_SEGMENT_PATTERN.test(segment)) return `parameter '${segment}' must be ':' followed by a name`;
      if (seenParams.has(segment)) return `parameter '${segment}' appears twice`;
      seenParams.add(segment);
      continue;
    }
    if (!LITERAL_SEGMENT_PATTERN.test(segment)) return `segment '${segment}' contains characters not allowed in a path`;
    if (/%(?![0-9A-Fa-f]{2})/.test(segment)) {
      return `segment '${segment}' has a malformed percent-escape`;
    }
  }
  return null;
}

const pathPattern = z.string().superRefine((value, ctx) => {
  const problem = pathPatternProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `path ${problem}` });
});

/** One segment of an Exact or PathPrefix value: RFC 3986 pchar, taken literally (':' and '*' are not special). */
const LITERAL_PATH_SEGMENT_PATTERN = /^[A-Za-z0-9\-._~!$&'()*+,;=@%:]+$/;

/** Why an Exact or PathPrefix value is invalid, or null: an absolute path the normaliser could produce. */
export function literalPathProblem(value: string): string | null {
  if (!value.startsWith('/')) return "must start with '/'";
  if (value.length > 1024) return 'must be at most 1024 characters';
  if (value === '/') return null;
  const segments = value.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '') {
      if (i === segments.length - 1) return null;
      return "must not contain empty segments ('//')";
    }
    if (segment === '.' || segment === '..') return "must not contain '.' or '..' segments";
    if (!LITERAL_PATH_SEGMENT_PATTERN.test(segment)) return `segment '${segment}' contains characters not allowed in a path`;
    if (/%(?![0-9A-Fa-f]{2})/.test(segment)) return `segment '${segment}' has a malformed percent-escape`;
    if (/%(?:2f|5c)/i.test(segment)) return `segment '${segment}' holds an encoded '/' or '\\', which no request path can`;
  }
  return null;
}

/** Values hold no control characters but tab (a header value cannot carry CR, LF or NUL; a query value is decoded text). */
function withoutControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return false;
  }
  return true;
}
const NO_CONTROL_CHARACTERS = { message: 'must not contain control characters' };

/** A typed path of DESIGN §10: `{type: Exact|PathPrefix|RegularExpression, value}` (Gateway API HTTPPathMatch). */
const pathMatchSchema = z
  .strictObject({
    type: z.enum(PATH_MATCH_TYPES),
    value: z.string().min(1).max(MAX_REGEX_CHARS).refine(withoutControlCharacters, NO_CONTROL_CHARACTERS),
  })
  .superRefine((path, ctx) => {
    if (path.value.length > MAX_REGEX_CHARS) return; // reported by max()
    const problem = path.type === 'RegularExpression' ? regexProblem(path.value) : literalPathProblem(path.value);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['value'], message: `${path.type} path ${problem}` });
  });

/** A header name to match: an RFC 9110 token (compared ignoring case). */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

function valueMatchSchema(what: 'header' | 'query') {
  return z
    .strictObject({
      name:
        what === 'header'
          ? z.string().regex(HEADER_NAME_PATTERN, { message: 'must be a header name (an HTTP token)' })
          : z.string().min(1).max(256).refine(withoutControlCharacters, NO_CONTROL_CHARACTERS),
      value: z.string().max(4096).refine(withoutControlCharacters, NO_CONTROL_CHARACTERS),
      type: z.enum(VALUE_MATCH_TYPES).default('Exact'),
    })
    .superRefine((match, ctx) => {
      if (match.type !== 'RegularExpression') return;
      const problem = regexProblem(match.value);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['value'], message: `RegularExpression ${problem}` });
    });
}

function uniqueNames(matches: readonly { name: string }[], fold: boolean, what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  matches.forEach((match, index) => {
    const key = fold ? match.name.toLowerCase() : match.name;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `${what} '${match.name}' is matched twice` });
    seen.add(key);
  });
}

/** `match` of DESIGN §10: header and query matches, all of which must hold (AND). */
export const routeMatchSchema = z.strictObject({
  headers: z
    .array(valueMatchSchema('header'))
    .max(MAX_VALUE_MATCHES)
    .superRefine((matches, ctx) => uniqueNames(matches, true, 'header', ctx))
    .optional(),
  query: z
    .array(valueMatchSchema('query'))
    .max(MAX_VALUE_MATCHES)
    .superRefine((matches, ctx) => uniqueNames(matches, false, 'query parameter', ctx))
    .optional(),
});

// PostgreSQL (where the control plane keeps configs) cannot store U+0000, and a CRD can carry one: refuse it in
// the free-form strings (names, paths, hosts and hashes already allow only printable characters).
const NO_NUL = { message: 'must not contain NUL characters (U+0000)' };
const withoutNul = (value: string) => !value.includes('\u0000');

const upstreamUrl = z.string().refine(withoutNul, NO_NUL).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as http://users:8080' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: 'must use http or https' });
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
  }
  if (url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not have a query string or fragment' });
  }
});

export const rateLimitSchema = z.strictObject({
  limit: z.int().min(1).max(1_000_000_000),
  windowSeconds: z.int().min(1).max(86_400),
});

export const routeRateLimitSchema = rateLimitSchema.extend({
  by: z.enum(['consumer', 'ip']).default('consumer'),
});

/** One upstream target (DESIGN §10): a URL like a service's `url`, and its share of traffic. */
export const targetSchema = z.strictObject({
  url: upstreamUrl,
  weight: z.int().min(0).max(1_000).default(1),
});

export const LOAD_BALANCING_ALGORITHMS = ['round-robin', 'least-request', 'consistent-hash'] as const;
export const HASH_ON_TYPES = ['header', 'cookie', 'client-ip', 'consumer'] as const;
/** A header name or cookie name to hash on: an RFC 9110 token. */
const TOKEN_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

export const loadBalancingSchema = z
  .strictObject({
    algorithm: z.enum(LOAD_BALANCING_ALGORITHMS).default('round-robin'),
    hashOn: z
      .strictObject({
        type: z.enum(HASH_ON_TYPES),
        name: z.string().regex(TOKEN_PATTERN, { message: 'must be a header or cookie name (an HTTP token)' }).optional(),
      })
      .superRefine((hashOn, ctx) => {
        const needsName = hashOn.type === 'header' || hashOn.type === 'cookie';
        if (needsName && hashOn.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: `hashOn.type ${hashOn.type} needs a name` });
        if (!needsName && hashOn.name !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: `hashOn.type ${hashOn.type} takes no name` });
      })
      .optional(),
  })
  .superRefine((lb, ctx) => {
    if (lb.algorithm === 'consistent-hash' && lb.hashOn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['hashOn'], message: 'consistent-hash needs hashOn' });
    }
    if (lb.algorithm !== 'consistent-hash' && lb.hashOn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['hashOn'], message: 'hashOn is only for algorithm consistent-hash' });
    }
  });

/** An HTTP probe path: origin-form, printable ASCII, no fragment. */
const PROBE_PATH_PATTERN = /^\/[\x21-\x7e]{0,1023}$/;

export const activeHealthCheckSchema = z
  .strictObject({
    path: z.string().regex(PROBE_PATH_PATTERN, { message: "must be a path starting with '/' of at most 1024 printable characters" }).default('/'),
    intervalMs: z.int().min(1_000).max(300_000).default(5_000),
    timeoutMs: z.int().min(100).max(60_000).default(1_000),
    healthyThreshold: z.int().min(1).max(10).default(2),
    unhealthyThreshold: z.int().min(1).max(10).default(3),
  })
  .refine((active) => active.timeoutMs < active.intervalMs, { path: ['timeoutMs'], message: 'must be less than intervalMs' });

export const passiveHealthCheckSchema = z.strictObject({
  consecutiveFailures: z.int().min(1).max(100).default(5),
  ejectionMs: z.int().min(1_000).max(3_600_000).default(30_000),
  maxEjectionPercent: z.int().min(0).max(100).default(50),
});

export const healthChecksSchema = z
  .strictObject({ active: activeHealthCheckSchema.optional(), passive: passiveHealthCheckSchema.optional() })
  .refine((checks) => checks.active !== undefined || checks.passive !== undefined, { message: 'needs active, passive or both' });

export const circuitBreakerSchema = z.strictObject({
  maxConnections: z.int().min(1).max(100_000).default(1_024),
  maxPendingRequests: z.int().min(0).max(100_000).default(1_024),
});

/** A TLS server name as sent in SNI: a hostname (no IP literal, no port). */
const SERVER_NAME_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const upstreamTlsSchema = z.strictObject({
  /** A certificate (of `certificates` or TLS_CERT_DIR) whose chain is the CA bundle to verify the upstream with. */
  caCertificate: entityName('certificate name').optional(),
  serverName: z.string().regex(SERVER_NAME_PATTERN, { message: 'must be a lower-case hostname' }).optional(),
  /** A certificate with its key, presented to the upstream (mTLS); a keyless (CA-only) entry is refused. */
  clientCertificate: entityName('certificate name').optional(),
  verify: z.boolean().default(true),
});

/** At most this many targets per service (a host name that resolves to several addresses counts once here). */
export const MAX_TARGETS_PER_SERVICE = 256;

export const serviceSchema = z
  .strictObject({
    name: entityName('service name'),
    // `url` is the one-target shorthand of `targets` (DESIGN §10): exactly one of the two.
    url: upstreamUrl.optional(),
    targets: z.array(targetSchema).max(MAX_TARGETS_PER_SERVICE).optional(),
    connectTimeoutMs: z.int().min(1).max(60_000).default(2_000),
    timeoutMs: z.int().min(1).max(600_000).default(10_000),
    // Replaced by routes[].retry (DESIGN §10); kept for configs that have it, used by routes without `retry`.
    retries: z.int().min(0).max(10).default(1),
    // HTTP/2 upstream (h2c for http://, ALPN h2 for https://); gRPC needs it. `false` is left out of the parsed
    // config, so an old config hashes and snapshots as before (DESIGN §10 Compatibility).
    http2: z
      .boolean()
      .optional()
      .overwrite((value) => (value === true ? true : undefined)),
    // The fields below are absent unless set, so an old config hashes and snapshots as before.
    loadBalancing: loadBalancingSchema.optional(),
    healthChecks: healthChecksSchema.optional(),
    circuitBreaker: circuitBreakerSchema.optional(),
    tls: upstreamTlsSchema.optional(),
  })
  .superRefine((service, ctx) => {
    if ((service.url === undefined) === (service.targets === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'a service needs exactly one of url and targets' });
      return;
    }
    const targets = serviceTargets(service);
    if (targets.length > 0 && targets.every((target) => target.weight === 0)) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'at least one target needs a weight above 0' });
    }
    const schemes = new Set(targets.map((target) => target.url.slice(0, target.url.indexOf(':')).toLowerCase()));
    if (schemes.size > 1) ctx.addIssue({ code: 'custom', path: ['targets'], message: 'all targets of a service must use the same scheme (http or https)' });
    if (service.tls !== undefined && schemes.has('http')) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is only for https:// targets' });
    }
  });

/** A service's targets: `targets`, or its `url` as one target of weight 1. */
export function serviceTargets(service: { url?: string | undefined; targets?: readonly { url: string; weight: number }[] | undefined }): readonly { url: string; weight: number }[] {
  if (service.targets !== undefined) return service.targets;
  return service.url === undefined ? [] : [{ url: service.url, weight: 1 }];
}

export const RETRY_CONDITIONS = ['connect-failure', 'reset', '502', '503', '504'] as const;
export const MAX_REQUEST_TIMEOUT_MS = 3_600_000;

export const routeTimeoutsSchema = z
  .strictObject({
    // The whole exchange, retries included; 0 disables.
    requestMs: z.int().min(0).max(MAX_REQUEST_TIMEOUT_MS).optional(),
    // Each try; defaults to the service's timeoutMs; 0 disables.
    backendRequestMs: z.int().min(0).max(MAX_REQUEST_TIMEOUT_MS).optional(),
  })
  .refine((t) => t.requestMs === undefined || t.requestMs === 0 || t.backendRequestMs === undefined || t.backendRequestMs === 0 || t.backendRequestMs <= t.requestMs, {
    path: ['backendRequestMs'],
    message: 'must not exceed requestMs (Gateway API)',
  });

export const routeRetrySchema = z.strictObject({
  // Tries after the first one.
  attempts: z.int().min(0).max(10),
  on: z
    .array(z.enum(RETRY_CONDITIONS))
    .min(1)
    .max(RETRY_CONDITIONS.length)
    .default(['connect-failure']),
  // Base of the exponential backoff between tries (full jitter).
  backoffMs: z.int().min(0).max(10_000).default(25),
});

export const MAX_ROUTE_BODY_BYTES = 1024 * 1024 * 1024;

/** Rules across a route's policy fields (Gateway API's filter rules, and what needs a consumer). */
function routePolicyProblems(
  route: { paths: readonly unknown[]; auth: string; service?: string | undefined; backends?: unknown; mirrors?: unknown; stripPrefix: boolean; acl?: unknown; redirect?: { path?: { replacePrefixMatch?: string | undefined } | undefined } | undefined; rewrite?: { path?: { replacePrefixMatch?: string | undefined } | undefined } | undefined },
  ctx: z.RefinementCtx,
): void {
  if (route.acl !== undefined && route.auth === 'none') {
    ctx.addIssue({ code: 'custom', path: ['acl'], message: 'acl needs an auth that identifies consumers (jwt, key-auth or basic-auth)' });
  }
  if (route.backends !== undefined && route.service !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['backends'], message: 'a route takes one of service and backends' });
  }
  if (route.redirect !== undefined && route.backends !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['backends'], message: 'a redirect route answers itself: it takes no backends' });
  }
  if (route.redirect !== undefined && route.mirrors !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['mirrors'], message: 'a redirect route sends nothing upstream: it takes no mirrors' });
  }
  if (route.redirect !== undefined && route.rewrite !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['rewrite'], message: 'a route cannot both redirect and rewrite (Gateway API)' });
  }
  if (route.stripPrefix && route.rewrite?.path !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['rewrite', 'path'], message: 'stripPrefix is replacePrefixMatch "/": use one of them' });
  }
  for (const field of ['redirect', 'rewrite'] as const) {
    if (route[field]?.path?.replacePrefixMatch !== undefined && !allPathsArePrefixes(route.paths)) {
      ctx.addIssue({
        code: 'custom',
        path: [field, 'path', 'replacePrefixMatch'],
        message: "replacePrefixMatch needs every path of the route to be a prefix ('/prefix/*' or {type: PathPrefix})",
      });
    }
  }
}

/** Methods that may be sent twice (RFC 9110 §9.2.2): the only ones retried after a byte may have reached the upstream. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export const routeSchema = z
  .strictObject({
  name: entityName('route name'),
  // Where the route sends requests: one of service, backends and redirect; none answers 500 (DESIGN §10). A
  // redirect route's service is accepted and unused (configs written before `backends` needed one).
  service: entityName('service name').optional(),
  backends: backendsSchema.optional(),
  // §4 strings or typed paths (DESIGN §10).
  paths: z.array(z.union([pathPattern, pathMatchSchema])).min(1).max(64),
  methods: z.array(z.enum(HTTP_METHODS)).max(HTTP_METHODS.length).default([]),
  hosts: z
    .array(z.string().regex(ROUTE_HOST_PATTERN, { message: "must be a lower-case hostname without port, or one with a leading '*.'" }))
    .max(64)
    .default([]),
  stripPrefix: z.boolean().default(false),
  auth: z.enum(AUTH_KINDS).default('none'),
  // Asymmetric JWT from identity providers (DESIGN §10); absent: auth jwt is HS256 with JWT_SECRET.
  jwt: jwtRouteSchema.optional(),
  rateLimit: routeRateLimitSchema.optional(),
  timeouts: routeTimeoutsSchema.optional(),
  // Replaces the service's `retries` for this route (DESIGN §10).
  retry: routeRetrySchema.optional(),
  // The listeners this route attaches to; absent: every listener with no `gateway` owner (DESIGN §10).
  listeners: z.array(entityName('listener name')).min(1).max(64).optional(),
  // Case-sensitive by default (Gateway API). `false` is left out of the parsed config, so a config that says it
  // hashes, and snapshots, exactly like one that does not (DESIGN §10 Compatibility).
  caseInsensitive: z
    .boolean()
    .optional()
    .overwrite((value) => (value === true ? true : undefined)),
  // Header and query matches (DESIGN §10); absent when unused.
  match: routeMatchSchema.optional(),
  // Config-only policies (DESIGN §10); each absent unless set, so an old config hashes as before.
  acl: aclSchema.optional(),
  ipRestriction: ipRestrictionSchema.optional(),
  cors: corsSchema.optional(),
  requestHeaders: headerEditsSchema.optional(),
  responseHeaders: headerEditsSchema.optional(),
  redirect: redirectSchema.optional(),
  rewrite: rewriteSchema.optional(),
  mirrors: mirrorsSchema.optional(),
  preserveHost: preserveHostSchema,
  // The route's bound on request bodies (413 above it); absent: the gateway's MAX_BODY_BYTES.
  maxBodyBytes: z.int().min(0).max(MAX_ROUTE_BODY_BYTES).optional(),
  })
  .superRefine((route, ctx) => {
    // A regular expression matches the whole path: there is no matched prefix to strip.
    if (route.stripPrefix) {
      route.paths.forEach((path, index) => {
        if (typeof path !== 'string' && path.type === 'RegularExpression') {
          ctx.addIssue({ code: 'custom', path: ['paths', index], message: 'stripPrefix needs prefix paths; a RegularExpression path has no prefix to strip' });
        }
      });
    }
    jwtRouteProblems(route, ctx);
    routePolicyProblems(route, ctx);
    // Only idempotent methods are retried on anything but connect-failure: a route of non-idempotent methods
    // only cannot honour such a retry policy.
    const retry = route.retry;
    if (retry === undefined || retry.attempts === 0 || retry.on.includes('connect-failure')) return;
    if (route.methods.length > 0 && route.methods.every((method) => !IDEMPOTENT_METHODS.has(method))) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'on'],
        message: `methods ${route.methods.join(', ')} are not idempotent and are only retried on connect-failure; add it or drop retry`,
      });
    }
  });

/** A listener hostname (DESIGN §10): a hostname, or one with a leading `*.` label. */
const LISTENER_HOSTNAME_PATTERN = /^(?:\*\.)?(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** A Gateway API Gateway owning a listener: `<namespace>/<name>`. */
const GATEWAY_OWNER_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
export const LISTENER_PROTOCOLS = ['HTTP', 'HTTPS'] as const;
/** Bounds on pushed PEM text: a chain of a few certificates, one private key. */
export const MAX_CERTIFICATE_PEM_CHARS = 64 * 1024;
export const MAX_KEY_PEM_CHARS = 16 * 1024;

export const listenerSchema = z.strictObject({
  name: entityName('listener name'),
  port: z.int().min(1).max(65535),
  bindPort: z.int().min(1).max(65535).optional(),
  protocol: z.enum(LISTENER_PROTOCOLS),
  hostname: z
    .string()
    .regex(LISTENER_HOSTNAME_PATTERN, { message: "must be a lower-case hostname without port, with '*.' allowed only as the first label" })
    .optional(),
  tls: z.strictObject({ certificates: z.array(entityName('certificate name')).min(1).max(16) }).optional(),
  // h2c prior knowledge beside HTTP/1.1 on an HTTP listener (HTTPS listeners offer h2 by ALPN); `false` is left out.
  http2: z
    .boolean()
    .optional()
    .overwrite((value) => (value === true ? true : undefined)),
  gateway: z.string().regex(GATEWAY_OWNER_PATTERN, { message: "must be '<namespace>/<name>' of a Gateway" }).optional(),
});

// The PEM texts are checked here (parse, key matches certificate) so every entry refuses a bad one with the
// field named; no message ever repeats PEM text. Without `key` the entry is a CA bundle: only
// services[].tls.caCertificate may name it (gatewayConfigSchema and, for TLS_CERT_DIR, compile refuse the rest).
export const certificateSchema = z
  .strictObject({
    name: entityName('certificate name'),
    cert: z.string().min(1).max(MAX_CERTIFICATE_PEM_CHARS, { message: `must be at most ${MAX_CERTIFICATE_PEM_CHARS} characters` }),
    key: z.string().min(1).max(MAX_KEY_PEM_CHARS, { message: `must be at most ${MAX_KEY_PEM_CHARS} characters` }).optional(),
  })
  .superRefine((certificate, ctx) => {
    const problem = certificatePemProblem(certificate.cert, certificate.key);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

export const consumerSchema = z.strictObject({
  username: entityName('username'),
  apiKeyHashes: z
    .array(z.string().regex(SHA256_HEX_PATTERN, { message: 'must be the SHA-256 of the key as 64 lower-case hex digits' }))
    .max(100)
    .default([]),
  jwtSubject: z.string().min(1).max(256).refine(withoutNul, NO_NUL).optional(),
  // The provider (routes[].jwt.providers[].name) whose tokens name this consumer; absent: HS256 tokens.
  jwtProvider: jwtProviderNameSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
  // The groups `acl` allows or denies; absent unless set (DESIGN §10 Compatibility).
  groups: consumerGroupsSchema.optional(),
  basicAuth: basicAuthSchema,
});

function reportDuplicates<T>(
  items: readonly T[],
  keysOf: (item: T) => readonly string[],
  listName: string,
  fieldPath: (index: number, keyIndex: number) => (string | number)[],
  what: string,
  ctx: z.RefinementCtx,
): void {
  const firstSeen = new Map<string, number>();
  items.forEach((item, index) => {
    keysOf(item).forEach((key, keyIndex) => {
      const earlier = firstSeen.get(key);
      if (earlier === undefined) firstSeen.set(key, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [listName, index, ...fieldPath(index, keyIndex)],
          message: `${what} '${key}' is already used by ${listName}[${earlier}]`,
        });
    });
  });
}

type ListenerConfigShape = z.infer<typeof listenerSchema>;

/**
 * The rules across listeners: unique names, one protocol (and h2c choice) per port, HTTPS with certificates. The
 * port rules hold among the listeners of one `gateway` owner: listeners of different owners are served by
 * different gateway processes (listeners/listener-table.ts), which never share a socket.
 */
function listenerProblems(listeners: readonly ListenerConfigShape[], certificates: readonly { name: string }[], ctx: z.RefinementCtx): void {
  reportDuplicates(listeners, (l) => [l.name], 'listeners', () => ['name'], 'listener name', ctx);
  reportDuplicates(certificates, (c) => [c.name], 'certificates', () => ['name'], 'certificate name', ctx);
  const firstOnBindPort = new Map<string, number>();
  const firstOnPort = new Map<string, number>();
  listeners.forEach((listener, index) => {
    const bindPort = listener.bindPort ?? listener.port;
    for (const [ports, port, field] of [[firstOnBindPort, bindPort, 'bindPort'], [firstOnPort, listener.port, 'port']] as const) {
      const key = `${listener.gateway ?? ''} ${port}`;
      const earlier = ports.get(key);
      if (earlier === undefined) {
        ports.set(key, index);
        continue;
      }
      const other = listeners[earlier] as ListenerConfigShape;
      if (other.protocol !== listener.protocol) {
        ctx.addIssue({ code: 'custom', path: ['listeners', index, 'protocol'], message: `${field} ${port} is already ${other.protocol} in listeners[${earlier}]: one protocol per port` });
      } else if ((other.http2 === true) !== (listener.http2 === true)) {
        ctx.addIssue({ code: 'custom', path: ['listeners', index, 'http2'], message: `listeners on ${field} ${port} must agree on http2 (listeners[${earlier}])` });
      } else if ((other.bindPort ?? other.port) !== bindPort || other.port !== listener.port) {
        ctx.addIssue({ code: 'custom', path: ['listeners', index, field], message: `port and bindPort must pair the same way on every listener of a port (listeners[${earlier}])` });
      } else if (other.hostname === listener.hostname && field === 'bindPort') {
        ctx.addIssue({ code: 'custom', path: ['listeners', index, 'hostname'], message: `listeners[${earlier}] already serves this hostname on port ${port}` });
      }
    }
    if (listener.protocol === 'HTTPS' && listener.tls === undefined) {
      ctx.addIssue({ code: 'custom', path: ['listeners', index, 'tls'], message: 'an HTTPS listener needs tls.certificates' });
    }
    if (listener.protocol === 'HTTP' && listener.tls !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['listeners', index, 'tls'], message: 'only an HTTPS listener takes tls' });
    }
  });
}

/** Why a listener (or a client certificate) cannot use certificate `name`: it has no key. */
export function keylessCertificateMessage(name: string, user: 'listener' | 'clientCertificate'): string {
  return `certificate '${name}' has no key: ${user === 'listener' ? 'a listener' : 'a client certificate'} needs one`;
}

/**
 * The listeners and clientCertificates that name a certificate of `keyless` (CA bundles), with their paths; the
 * gateway checks TLS_CERT_DIR's keyless ones the same way at compile (pipeline/compile.ts environmentProblems).
 */
export function keylessCertificateProblems(
  config: { services: readonly { tls?: { clientCertificate?: string | undefined } | undefined }[]; listeners?: readonly { tls?: { certificates: readonly string[] } | undefined }[] | undefined },
  keyless: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  if (keyless.size === 0) return [];
  const problems: { path: (string | number)[]; message: string }[] = [];
  (config.listeners ?? []).forEach((listener, index) => {
    listener.tls?.certificates.forEach((name, certificateIndex) => {
      if (keyless.has(name)) problems.push({ path: ['listeners', index, 'tls', 'certificates', certificateIndex], message: keylessCertificateMessage(name, 'listener') });
    });
  });
  config.services.forEach((service, index) => {
    const name = service.tls?.clientCertificate;
    if (name !== undefined && keyless.has(name)) problems.push({ path: ['services', index, 'tls', 'clientCertificate'], message: keylessCertificateMessage(name, 'clientCertificate') });
  });
  return problems;
}

export const gatewayConfigSchema = z
  .strictObject({
    services: z.array(serviceSchema).max(10_000).default([]),
    routes: z.array(routeSchema).max(10_000).default([]),
    consumers: z.array(consumerSchema).max(100_000).default([]),
    // Absent (not defaulted) so a config without them hashes and snapshots as before (DESIGN §10 Compatibility).
    listeners: z.array(listenerSchema).max(256).optional(),
    certificates: z.array(certificateSchema).max(1_000).optional(),
  })
  .superRefine((config, ctx) => {
    reportDuplicates(config.services, (s) => [s.name], 'services', () => ['name'], 'service name', ctx);
    reportDuplicates(config.routes, (r) => [r.name], 'routes', () => ['name'], 'route name', ctx);
    reportDuplicates(config.consumers, (c) => [c.username], 'consumers', () => ['username'], 'username', ctx);
    reportDuplicates(config.consumers, (c) => c.apiKeyHashes, 'consumers', (_i, k) => ['apiKeyHashes', k], 'API key hash', ctx);
    jwtConsumerProblems(config.consumers, ctx);
    for (const problem of basicAuthUsernameProblems(config.consumers)) ctx.addIssue({ code: 'custom', ...problem });
    listenerProblems(config.listeners ?? [], config.certificates ?? [], ctx);
    for (const problem of keylessCertificateProblems(config, new Set((config.certificates ?? []).filter((c) => c.key === undefined).map((c) => c.name)))) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
    let regexPaths = 0;
    config.routes.forEach((route, index) => {
      route.paths.forEach((path, pathIndex) => {
        if (typeof path === 'string' || path.type !== 'RegularExpression') return;
        regexPaths++;
        if (regexPaths === MAX_REGEX_PATHS_PER_CONFIG + 1) {
          ctx.addIssue({ code: 'custom', path: ['routes', index, 'paths', pathIndex], message: `at most ${MAX_REGEX_PATHS_PER_CONFIG} RegularExpression paths per config` });
        }
      });
    });
    const listenerNames = new Set((config.listeners ?? []).map((listener) => listener.name));
    config.routes.forEach((route, index) => {
      route.listeners?.forEach((name, listenerIndex) => {
        if (!listenerNames.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['routes', index, 'listeners', listenerIndex], message: `listener '${name}' is not defined in listeners` });
        }
      });
    });
    const serviceNames = new Set(config.services.map((s) => s.name));
    const requireService = (name: string | undefined, path: (string | number)[]) => {
      if (name !== undefined && !serviceNames.has(name)) ctx.addIssue({ code: 'custom', path, message: `service '${name}' is not defined in services` });
    };
    config.routes.forEach((route, index) => {
      requireService(route.service, ['routes', index, 'service']);
      route.backends?.forEach((backend, backendIndex) => requireService(backend.service, ['routes', index, 'backends', backendIndex, 'service']));
      route.mirrors?.forEach((mirror, mirrorIndex) => requireService(mirror.service, ['routes', index, 'mirrors', mirrorIndex, 'service']));
    });
  });

export type ServiceConfig = z.infer<typeof serviceSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
export type { BackendConfig } from '../policies/traffic-split/schema.js';
export type { MirrorConfig } from '../policies/mirror/schema.js';
export type ConsumerConfig = z.infer<typeof consumerSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type RouteRateLimitConfig = z.infer<typeof routeRateLimitSchema>;
export type ListenerConfig = z.infer<typeof listenerSchema>;
export type CertificateConfig = z.infer<typeof certificateSchema>;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** The config as a user writes it, with optional fields that get defaults. */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type LoadBalancingConfig = z.infer<typeof loadBalancingSchema>;
export type HealthChecksConfig = z.infer<typeof healthChecksSchema>;
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerSchema>;
export type UpstreamTlsConfig = z.infer<typeof upstreamTlsSchema>;
export type RouteTimeoutsConfig = z.infer<typeof routeTimeoutsSchema>;
export type RouteRetryConfig = z.infer<typeof routeRetrySchema>;
