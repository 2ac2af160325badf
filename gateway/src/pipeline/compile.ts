// Turns a validated config into what the hot path uses: the route table, and per route its upstream and
// its policy chain. The order of policies is the one list below (auth identifies the consumer the rate
// limiter counts by). Work that can be done here is never done per request.
import { keylessCertificateMessage, type GatewayConfig, type ConfigProblem, type RouteConfig } from '../config/index.js';
import { compileRouter, type Router } from '../routing/router.js';
import { createUpstreamService, type UpstreamService } from '../proxy/upstream.js';
import { systemResolver } from '../upstream/resolver.js';
import type { Resolver } from '../upstream/service-pool.js';
import type { TargetConnection } from '../upstream/target-connection.js';
import { certificateLookup, upstreamTlsOptions, type CertificateLookup, type PemPair, type UpstreamTlsOptions } from '../upstream/upstream-tls.js';
import { compilePolicies } from '../policies/registry.js';
import { jwtSourcesOf } from '../policies/jwt/compile-providers.js';
import type { Policy, PolicyDeps, PolicyEnv } from './policy.js';
import { retryPolicyOf } from '../proxy/retry-policy.js';
import { RetryBudget } from '../proxy/retry-budget.js';
import { routeTimeoutsOf } from '../proxy/route-timeouts.js';
import { portTables, routeAttaches, servedListeners, type ListenerScope, type PortTable, type ServedListener } from '../listeners/listener-table.js';
import { compileHeaderEdits, type HeaderEditsConfig } from '../proxy/header-edits.js';
import { backendPicker, noBackendPicker, singleBackend, type BackendPicker, type RouteBackend } from '../policies/traffic-split/backend-picker.js';
import { MirrorGate } from '../policies/mirror/mirror-gate.js';
import type { RouteMirror } from '../policies/mirror/mirror-copies.js';

export interface CompiledRoute {
  readonly name: string;
  readonly config: RouteConfig;
  /** Picks the request's backend: the route's service, one of its `backends` by weight, or a 500 (none). */
  readonly backends: BackendPicker;
  /** The route's `mirrors`, compiled; undefined when it has none. */
  readonly mirrors: readonly RouteMirror[] | undefined;
  readonly stripPrefix: boolean;
  /** Policies in execution order; empty for a route with no auth and no limits. */
  readonly policies: readonly Policy[];
}

export interface CompiledConfig {
  readonly version: number;
  readonly hash: string;
  readonly config: GatewayConfig;
  /** Every route of the config (what the implicit listener serves). */
  readonly router: Router<CompiledRoute>;
  /** The listeners this gateway serves, by bind port, each with the router of its own routes. */
  readonly ports: ReadonlyMap<number, PortTable<Router<CompiledRoute>>>;
  readonly listeners: readonly ServedListener[];
  readonly services: ReadonlyMap<string, UpstreamService>;
  /** Per service name; kept across config versions so that a config push does not refill them. */
  readonly retryBudgets: ReadonlyMap<string, RetryBudget>;
  /** The bound on mirror copies in flight, per mirrored service; kept across config versions like retryBudgets. */
  readonly mirrorGates: ReadonlyMap<string, MirrorGate>;
}

/** The policies' settings (pipeline/policy.ts PolicyDeps) and what the rest of compilation needs. */
export interface CompileDeps extends PolicyDeps {
  /** GATEWAY_NAME and PORT; absent: no owner, PORT 0 (tests serving `router` directly). */
  listenerScope?: ListenerScope;
  /** Whether TLS_CERT_DIR holds a certificate of this name (a listener may name one that is not in the config). */
  localCertificate?: (name: string) => boolean;
  /** The PEM pair of a TLS_CERT_DIR certificate, for upstream TLS (services[].tls). */
  localCertificatePem?: (name: string) => PemPair | undefined;
  /** Resolves target host names; the system resolver when absent. */
  resolver?: Resolver;
  /** An upstream target's health changed, or a re-resolution changed a service's targets. */
  onUpstreamHealthChange?: () => void;
}

export type CompileResult = { ok: true; compiled: CompiledConfig } | { ok: false; problems: ConfigProblem[] };

/** Checks what the schema cannot know: settings this gateway process needs for the config. */
function environmentProblems(config: GatewayConfig, deps: CompileDeps): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.routes.forEach((route, index) => {
    if (route.auth === 'jwt' && route.jwt === undefined && deps.jwtSecret === undefined) {
      problems.push({ path: `routes[${index}].auth`, message: 'jwt needs JWT_SECRET to be set on the gateway' });
    }
  });
  const pushed = new Set((config.certificates ?? []).map((certificate) => certificate.name));
  const lookup = certificateLookup(config, deps.localCertificatePem);
  for (const listener of servedListeners(config, scopeOf(deps))) {
    listener.certificates.forEach((name, index) => {
      const path = `listeners[${listener.index ?? 0}].tls.certificates[${index}]`;
      if (pushed.has(name)) return; // a keyless pushed entry is refused by the schema
      if (deps.localCertificate?.(name) !== true) {
        problems.push({ path, message: `listener '${listener.name}' names certificate '${name}', which is neither in certificates nor in TLS_CERT_DIR` });
        return;
      }
      // TLS_CERT_DIR's `<name>.crt` without `<name>.key`: a CA bundle.
      const local = deps.localCertificatePem?.(name);
      if (local !== undefined && local.key === undefined) problems.push({ path, message: keylessCertificateMessage(name, 'listener') });
    });
  }
  config.services.forEach((service, index) => {
    const tls = upstreamTlsOptions(service.tls, lookup);
    if ('missing' in tls) {
      const name = service.tls?.[tls.missing] as string;
      problems.push({ path: `services[${index}].tls.${tls.missing}`, message: `names certificate '${name}', which is neither in certificates nor in TLS_CERT_DIR` });
    } else if ('keyless' in tls) {
      problems.push({ path: `services[${index}].tls.clientCertificate`, message: keylessCertificateMessage(service.tls?.clientCertificate as string, 'clientCertificate') });
    }
  });
  return problems;
}

/** The connect options for the service's https:// targets; undefined for http:// (checked by environmentProblems). */
function serviceTls(service: GatewayConfig['services'][number], lookup: CertificateLookup): UpstreamTlsOptions | undefined {
  const first = service.targets?.[0]?.url ?? service.url;
  if (first === undefined || !first.toLowerCase().startsWith('https:')) return undefined;
  const tls = upstreamTlsOptions(service.tls, lookup);
  return 'missing' in tls || 'keyless' in tls ? undefined : tls;
}

function scopeOf(deps: CompileDeps): ListenerScope {
  return deps.listenerScope ?? { gatewayName: undefined, defaultPort: 0 };
}

/** The route's methods, with OPTIONS added when it answers CORS preflights (the cors policy 404s other OPTIONS). */
function matchedMethods(route: RouteConfig): readonly string[] {
  if (route.cors === undefined || route.methods.length === 0 || route.methods.includes('OPTIONS')) return route.methods;
  return [...route.methods, 'OPTIONS'];
}

/** The env every policy of one config compiles with: values shared across routes are built once. */
function policyEnvFor(config: GatewayConfig, deps: CompileDeps, shared: Map<string, unknown>): (routeIndex: number) => PolicyEnv {
  const base = {
    deps,
    config,
    shared<T>(key: string, build: () => T): T {
      if (!shared.has(key)) shared.set(key, build());
      return shared.get(key) as T;
    },
  };
  return (routeIndex) => ({
    ...base,
    routeIndex,
    warn: (message, fields = {}) => deps.onPolicyWarning?.(message, { route: config.routes[routeIndex]?.name ?? '', ...fields }),
  });
}

/**
 * Compiles `config`. Connections of `previous` whose target kept its address and settings are taken over, and
 * each service's target health carries over; the caller releases `previous` once the new config is in place
 * (see releaseServices).
 */
export function compileConfig(
  config: GatewayConfig,
  meta: { version: number; hash: string },
  deps: CompileDeps,
  previous?: CompiledConfig,
): CompileResult {
  const problems = environmentProblems(config, deps);
  if (problems.length > 0) return { ok: false, problems };

  const connections = new Map<string, TargetConnection>();
  if (previous !== undefined) for (const service of previous.services.values()) for (const connection of service.pool.connections()) connections.set(connection.key, connection);
  const lookup = certificateLookup(config, deps.localCertificatePem);
  const services = new Map<string, UpstreamService>();
  for (const service of config.services) {
    services.set(
      service.name,
      createUpstreamService(service, {
        tls: serviceTls(service, lookup),
        previous: previous?.services.get(service.name)?.pool,
        connections,
        resolver: deps.resolver ?? systemResolver,
        onHealthChange: deps.onUpstreamHealthChange,
      }),
    );
  }

  const retryBudgets = new Map<string, RetryBudget>();
  for (const service of config.services) retryBudgets.set(service.name, previous?.retryBudgets.get(service.name) ?? new RetryBudget(deps.now));

  // One JWKS source set per config: every route's providers take their key sources from it, and the sources no
  // route uses any more are dropped once all routes compiled.
  const jwtSources = jwtSourcesOf(deps.jwt, deps.now);
  const envOf = policyEnvFor(config, deps, new Map([['jwt.sources', jwtSources]]));
  const mirrorGates = new Map<string, MirrorGate>();
  for (const route of config.routes) {
    for (const mirror of route.mirrors ?? []) {
      if (!mirrorGates.has(mirror.service)) mirrorGates.set(mirror.service, previous?.mirrorGates.get(mirror.service) ?? new MirrorGate());
    }
  }
  const backendOf = (route: RouteConfig, name: string, edits?: { requestHeaders?: HeaderEditsConfig | undefined; responseHeaders?: HeaderEditsConfig | undefined }): RouteBackend => {
    const service = services.get(name) as UpstreamService;
    return {
      service,
      retry: retryPolicyOf(route.retry, service.retries),
      timeouts: routeTimeoutsOf(route.timeouts, service.timeoutMs),
      retryBudget: retryBudgets.get(name) as RetryBudget,
      requestHeaderEdits: edits?.requestHeaders === undefined ? undefined : compileHeaderEdits(edits.requestHeaders),
      responseHeaderEdits: edits?.responseHeaders === undefined ? undefined : compileHeaderEdits(edits.responseHeaders),
    };
  };
  const pickerOf = (route: RouteConfig): BackendPicker => {
    if (route.backends !== undefined) {
      return backendPicker(
        route.name,
        route.backends.map((backend) => ({ weight: backend.weight, backend: backend.service === undefined ? ('invalid' as const) : backendOf(route, backend.service, backend) })),
      );
    }
    // A redirect route answers before any backend is picked; its service, if any, is unused.
    return route.service === undefined ? noBackendPicker(route.name) : singleBackend(backendOf(route, route.service));
  };
  const definitions = config.routes.map((route, index) => {
      const compiled: CompiledRoute = {
        name: route.name,
        config: route,
        backends: pickerOf(route),
        mirrors: route.mirrors?.map((mirror) => ({
          service: services.get(mirror.service) as UpstreamService,
          share: mirror.percent === undefined ? 1 : mirror.percent / 100,
          gate: mirrorGates.get(mirror.service) as MirrorGate,
        })),
        stripPrefix: route.stripPrefix,
        policies: compilePolicies(route, envOf(index)),
      };
      return { target: compiled, paths: route.paths, methods: matchedMethods(route), hosts: route.hosts, caseInsensitive: route.caseInsensitive === true, match: route.match };
  });
  jwtSources.retainUsed();
  const router = compileRouter(definitions);
  const listeners = servedListeners(config, scopeOf(deps));
  // Each listener gets a router of its own routes, so a request pays one listener lookup and no filtering.
  const ports = portTables(listeners, (listener) =>
    config.listeners === undefined ? router : compileRouter(definitions.filter((definition) => routeAttaches(definition.target.config.listeners, listener))),
  );
  return { ok: true, compiled: { version: meta.version, hash: meta.hash, config, router, ports, listeners, services, retryBudgets, mirrorGates } };
}

/**
 * Stops the services' probes and re-resolution and lets go of their connections (closed when no newer config
 * holds them). `next`, the config that replaced `compiled`: each service it keeps by name takes over the picks of
 * exchanges still running on the old pool (a retry after its backoff).
 */
export function releaseServices(compiled: CompiledConfig, next?: CompiledConfig): Promise<void> {
  return Promise.all([...compiled.services.values()].map((service) => service.pool.release(next?.services.get(service.name)?.pool))).then(() => undefined);
}
