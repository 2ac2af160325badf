// The gateway metrics of DESIGN §9 on a registry of their own. Labels are bounded by configuration: route
// name, path template, a standard method or OTHER, status. Label children are cached, since the hot path
// records every request.
import { Counter, Gauge, Registry } from 'prom-client';
import { createHotCounter, createHotHistogram, type CounterSeries, type HistogramSeries } from './hot-metrics.js';
import { HTTP_METHODS } from '../config/index.js';

const STANDARD_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
export const UNMATCHED = 'unmatched';

export function methodLabel(method: string | undefined): string {
  return method !== undefined && STANDARD_METHODS.has(method) ? method : 'OTHER';
}

export interface GatewayMetrics {
  readonly registry: Registry;
  recordRequest(route: string, path: string, method: string, status: number, seconds: number): void;
  recordUpstream(route: string, seconds: number): void;
  rateLimited(route: string): void;
  rateLimitBackendError(): void;
  authFailure(route: string, reason: string): void;
  /** An upstream attempt that ended in a 502/504, by cause class (proxy/upstream-cause.ts). */
  upstreamError(route: string, cause: string): void;
  /** A retry of an upstream attempt: made (`retried`) or refused by the service's retry budget (`budget_exhausted`). */
  upstreamRetry(service: string, outcome: 'retried' | 'budget_exhausted'): void;
  /** A mirror copy of a request (policies/mirror/mirror-copies.ts): sent, failed, or dropped and why. */
  mirrorRequest(route: string, service: string, outcome: string): void;
  setConfigVersion(version: number): void;
  /**
   * Drops the series of routes that are not in `routes` (a new config removed or renamed them), so that
   * label sets stay bounded by the config in use rather than by every config since start-up.
   */
  retainRoutes(routes: ReadonlySet<string>): Promise<void>;
  /** Drops the series of services that are not in `services`, as retainRoutes does for routes. */
  retainServices(services: ReadonlySet<string>): Promise<void>;
  configRejected(): void;
  /** A cached config refused at start-up (not sealed under this gateway's key, altered, or another tenant's). */
  configCacheRejected(reason: string): void;
  setControlPlaneConnected(connected: boolean): void;
  logEntriesDropped(count: number): void;
  /** The certificates the TLS listeners use now, name → notAfter (seconds); others' series are dropped. */
  setCertificateExpiry(expiry: ReadonlyMap<string, number>): void;
  http2RapidReset(): void;
  /** A JWKS fetch failed (jwt.providers), by failure class; the last good key set keeps serving meanwhile. */
  jwksFetchFailure(failure: string): void;
  /** Every target of the config in use, 1 healthy / 0 not; targets no longer configured lose their series. */
  setUpstreamTargetHealth(targets: readonly { service: string; target: string; healthy: boolean }[]): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createGatewayMetrics(registry: Registry = new Registry()): GatewayMetrics {
  const registers = [registry];
  const requests = createHotCounter(registry, 'novagate_http_requests_total', 'Requests handled by the gateway');
  const duration = createHotHistogram(
    registry,
    'novagate_http_request_duration_seconds',
    'Time from request start to response end, seconds',
    LATENCY_BUCKETS,
  );
  const upstream = createHotHistogram(
    registry,
    'novagate_upstream_duration_seconds',
    'Time until the upstream answered with headers, seconds',
    LATENCY_BUCKETS,
  );
  const limited = new Counter({
    name: 'novagate_rate_limited_total',
    help: 'Requests refused with 429',
    labelNames: ['route'] as const,
    registers,
  });
  const backendErrors = new Counter({
    name: 'novagate_rate_limit_backend_errors_total',
    help: 'Rate-limit checks that failed because the backend (Redis) did not answer',
    registers,
  });
  const authFailures = new Counter({
    name: 'novagate_auth_failures_total',
    help: "Requests refused by an auth policy (401, and basic-auth's 429 throttled and 503 overloaded), by reason code",
    labelNames: ['route', 'reason'] as const,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'novagate_upstream_errors_total',
    help: 'Requests answered 502/504 because the upstream failed, by cause class',
    labelNames: ['route', 'cause'] as const,
    registers,
  });
  const upstreamRetries = new Counter({
    name: 'novagate_upstream_retries_total',
    help: 'Retries of upstream attempts: made (retried) or refused by the service retry budget (budget_exhausted)',
    labelNames: ['service', 'outcome'] as const,
    registers,
  });
  const jwksFailures = new Counter({
    name: 'novagate_jwks_fetch_failures_total',
    help: 'JWKS fetches of jwt.providers that failed, by failure class',
    labelNames: ['failure'] as const,
    registers,
  });
  const mirrorRequests = new Counter({
    name: 'novagate_mirror_requests_total',
    help: 'Mirror copies of requests by outcome: sent, failed, dropped_overflow, dropped_body, dropped_protocol',
    labelNames: ['route', 'service', 'outcome'] as const,
    registers,
  });
  const configVersion = new Gauge({ name: 'novagate_config_version', help: 'Version of the config in use', registers });
  const rejected = new Counter({ name: 'novagate_config_rejected_total', help: 'Configs refused as invalid', registers });
  const cacheRejected = new Counter({
    name: 'novagate_config_cache_rejected_total',
    help: 'Cached configs refused at start-up, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const connected = new Gauge({
    name: 'novagate_control_plane_connected',
    help: '1 while connected to the control plane (always 0 in standalone mode)',
    registers,
  });
  const certificateExpiry = new Gauge({
    name: 'novagate_tls_certificate_expiry_timestamp_seconds',
    help: 'notAfter of each certificate a TLS listener serves, in seconds since the epoch',
    labelNames: ['certificate'] as const,
    // Every worker serves the same certificates: a sum across a cluster would be meaningless.
    aggregator: 'first',
    registers,
  });
  const rapidResets = new Counter({
    name: 'novagate_http2_rapid_reset_total',
    help: 'HTTP/2 connections closed because the client reset streams faster than allowed',
    registers,
  });
  const targetHealthy = new Gauge({
    name: 'novagate_upstream_target_healthy',
    help: '1 when the upstream target (host:port from the config) takes traffic, 0 when it is ejected or fails its health checks',
    labelNames: ['service', 'target'] as const,
    // Each worker keeps its own passive health: across a cluster, a target is healthy only if every worker says so.
    aggregator: 'min',
    registers,
  });
  const dropped = new Counter({
    name: 'novagate_log_entries_dropped_total',
    help: 'Log entries dropped because the log output could not keep up',
    registers,
  });

  // Series found through maps keyed by the label values themselves (route, template and method are the
  // same string objects on every request, with their hashes cached), so recording builds no key string.
  interface MethodSeries {
    duration: HistogramSeries;
    byStatus: Map<number, CounterSeries>;
  }
  const requestSeries = new Map<string, Map<string, Map<string, MethodSeries>>>();
  const upstreamSeries = new Map<string, HistogramSeries>();

  function methodSeries(route: string, path: string, method: string): MethodSeries {
    let byPath = requestSeries.get(route);
    if (byPath === undefined) {
      byPath = new Map();
      requestSeries.set(route, byPath);
    }
    let byMethod = byPath.get(path);
    if (byMethod === undefined) {
      byMethod = new Map();
      byPath.set(path, byMethod);
    }
    let found = byMethod.get(method);
    if (found === undefined) {
      const key = `${route}\u0000${path}\u0000${method}`;
      found = { duration: duration.series(key, () => ({ route, path, method })), byStatus: new Map() };
      byMethod.set(method, found);
    }
    return found;
  }

  return {
    registry,
    async retainRoutes(routes) {
      const kept = (route: string) => route === UNMATCHED || routes.has(route);
      for (const route of requestSeries.keys()) if (!kept(route)) requestSeries.delete(route);
      for (const route of upstreamSeries.keys()) if (!kept(route)) upstreamSeries.delete(route);
      const keepLabels = (labels: Record<string, string>) => kept(labels.route ?? UNMATCHED);
      requests.retain(keepLabels);
      duration.retain(keepLabels);
      upstream.retain(keepLabels);
      for (const counter of [limited, authFailures, upstreamErrors, mirrorRequests] as Counter<string>[]) {
        for (const { labels } of (await counter.get()).values) {
          if (!kept(String(labels.route))) counter.remove(labels as Record<string, string>);
        }
      }
    },
    async retainServices(services) {
      for (const counter of [upstreamRetries, mirrorRequests] as Counter<string>[]) {
        for (const { labels } of (await counter.get()).values) {
          if (!services.has(String(labels.service))) counter.remove(labels as Record<string, string>);
        }
      }
    },
    recordRequest(route, path, method, status, seconds) {
      const series = methodSeries(route, path, method);
      let counter = series.byStatus.get(status);
      if (counter === undefined) {
        const key = `${route}\u0000${path}\u0000${method}\u0000${status}`;
        counter = requests.series(key, () => ({ route, path, method, status: String(status) }));
        series.byStatus.set(status, counter);
      }
      counter.value++;
      series.duration.observe(seconds);
    },
    recordUpstream(route, seconds) {
      let histogram = upstreamSeries.get(route);
      if (histogram === undefined) {
        histogram = upstream.series(route, () => ({ route }));
        upstreamSeries.set(route, histogram);
      }
      histogram.observe(seconds);
    },
    rateLimited: (route) => limited.labels(route).inc(),
    rateLimitBackendError: () => backendErrors.inc(),
    authFailure: (route, reason) => authFailures.labels(route, reason).inc(),
    upstreamError: (route, cause) => upstreamErrors.labels(route, cause).inc(),
    upstreamRetry: (service, outcome) => upstreamRetries.labels(service, outcome).inc(),
    mirrorRequest: (route, service, outcome) => mirrorRequests.labels(route, service, outcome).inc(),
    setConfigVersion: (version) => configVersion.set(version),
    configRejected: () => rejected.inc(),
    configCacheRejected: (reason) => cacheRejected.labels(reason).inc(),
    setControlPlaneConnected: (value) => connected.set(value ? 1 : 0),
    logEntriesDropped: (count) => dropped.inc(count),
    setCertificateExpiry(expiry) {
      certificateExpiry.reset();
      for (const [name, seconds] of expiry) certificateExpiry.labels(name).set(seconds);
    },
    http2RapidReset: () => rapidResets.inc(),
    jwksFetchFailure: (failure) => jwksFailures.labels(failure).inc(),
    setUpstreamTargetHealth(targets) {
      targetHealthy.reset();
      for (const { service, target, healthy } of targets) targetHealthy.labels(service, target).set(healthy ? 1 : 0);
    },
  };
}
