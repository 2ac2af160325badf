// What every gateway policy is (the contract of issue 17): a definition that compiles, once per config and
// route, into a handler run per request in priority order (policies/registry.ts). A handler returns nothing to
// let the request go on, a GatewayError to answer it with an error, or a DirectAnswer for a non-error answer the
// gateway writes itself (a CORS preflight, a redirect) without reaching the upstream.
import type { IncomingMessage } from 'node:http';
import type { ConsumerConfig, GatewayConfig, RouteConfig } from '../config/index.js';
import type { GatewayError } from '../errors.js';
import type { HeaderEdits } from '../proxy/header-edits.js';
import type { RateLimitBackend } from '../policies/rate-limit/backend.js';
import type { JwtProviderDeps } from '../policies/jwt/compile-providers.js';
import type { Hs256Rules } from '../policies/jwt/verify-hs256.js';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly requestId: string;
  /** The client address (DESIGN §4: socket peer, or rightmost untrusted X-Forwarded-For behind a trusted proxy). */
  readonly clientIp: string;
  readonly routeName: string;
  /** The normalised request path, and its query ('' or starting with '?'). */
  readonly path: string;
  readonly query: string;
  /** The request path past the route's matched prefix, starting with '/' (what replacePrefixMatch keeps). */
  readonly prefixRest: string;
  /** The request's Host without port, lower case ('' when absent). */
  readonly host: string;
  /** Whether the client connection is TLS (never taken from a header). */
  readonly secure: boolean;
  /** The `port` of the listener the request came in on (DESIGN §10: redirects use `port`, not `bindPort`). */
  readonly listenerPort: number;
  /** Set by an auth policy when the credential belongs to a configured consumer. */
  consumer: ConsumerConfig | undefined;
  /** Request headers an auth policy consumed and that must not go upstream. */
  strippedHeaders: string[] | undefined;
  /** Headers added to the upstream request (jwt claimsToHeaders), after the client's copies are stripped. */
  upstreamHeaders?: Record<string, string> | undefined;
  /** Headers added to the response (RateLimit-*). */
  responseHeaders: Record<string, string> | undefined;
  /** Edits of the request headers sent upstream, applied in this order (requestHeaders). */
  requestHeaderEdits: HeaderEdits[] | undefined;
  /** Edits of the response headers, applied in this order when the response starts (responseHeaders, CORS). */
  responseHeaderEdits: HeaderEdits[] | undefined;
  /** The upstream path (before the service's base path, without query) when a policy rewrote it. */
  upstreamPath: string | undefined;
  /** The Host sent upstream when a policy chose it (preserveHost, rewrite.hostname); else the target's. */
  upstreamHost: string | undefined;
}

/** A non-error answer the gateway writes itself, with an empty body. */
export class DirectAnswer {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
  ) {}
}

export type PolicyOutcome = GatewayError | DirectAnswer | undefined;
export type Policy = (ctx: RequestContext) => PolicyOutcome | Promise<PolicyOutcome>;

/** What the gateway process gives every policy at compile time (the settings and shared backends). */
export interface PolicyDeps {
  /** `default` in standalone mode, the tenant id with a control plane. */
  tenant: string;
  jwtSecret: Buffer | undefined;
  /** JWT_ACCEPTED_SECRET, JWT_ISSUER and JWT_AUDIENCE, when set. */
  jwtRules?: Hs256Rules;
  rateLimitBackend: RateLimitBackend;
  failureMode: 'open' | 'closed';
  /** Milliseconds since the epoch. */
  now: () => number;
  onRateLimitBackendError: (error: unknown) => void;
  onRateLimited: (route: string) => void;
  /** JWKS sources kept across config versions, and where fetch failures are reported (jwt.providers). */
  jwt?: JwtProviderDeps;
  /** A config-time warning (logged once per config version); absent: not reported. */
  onPolicyWarning?: (message: string, fields: Record<string, string | number>) => void;
}

/** A policy's view of the config being compiled. */
export interface PolicyEnv {
  readonly deps: PolicyDeps;
  readonly config: GatewayConfig;
  /** `routes[i]` of the route being compiled, for warnings that name it. */
  readonly routeIndex: number;
  /** A value built once per config and shared by every route (consumer indexes), under `key`. */
  shared<T>(key: string, build: () => T): T;
  /** Logs a config-time warning (once per config version: compile runs once per version). */
  warn(message: string, fields?: Record<string, string | number>): void;
}

export interface PolicyDefinition {
  readonly name: string;
  /** Lower runs first (the table in policies/registry.ts). */
  readonly priority: number;
  /** Runs once per config version; undefined when the route does not use the policy. */
  compile(route: RouteConfig, env: PolicyEnv): Policy | undefined;
}
