// The gateway's typed errors: a stable code and an HTTP status, turned into a JSON response in one place
// (server/respond.ts). Messages never carry a token, a key or a raw path. They are answers, not faults: policies
// return them for every refused request (a flood of bad tokens makes one per request), nothing logs their stack,
// so they capture none (a stack trace costs microseconds per error).

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After, RateLimit-*). */
    readonly headers?: Readonly<Record<string, string>>,
    /** For 401: the reason code counted in novagate_auth_failures_total. */
    readonly authReason?: string,
    /** For 502/504 from an upstream failure: its class (proxy/upstream-cause.ts), said in the body as `cause`. */
    readonly upstreamCause?: string,
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'GatewayError';
  }
}

export const badPath = (reason: string) => new GatewayError(400, 'bad_path', reason);
export const badUpgrade = (reason: string) => new GatewayError(400, 'bad_upgrade', reason);
/** The Host of a request on a TLS connection belongs to another listener than the connection's SNI (RFC 9110 §15.5.20). */
export const misdirected = () => new GatewayError(421, 'misdirected_request', 'this connection does not serve the requested host');
export const routeNotFound = () => new GatewayError(404, 'route_not_found', 'no route matches this request');
export const bodyTooLarge = (limit: number) =>
  new GatewayError(413, 'body_too_large', `request body exceeds ${limit} bytes`);
export const unauthorized = (reason: string, message: string) =>
  new GatewayError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' }, reason);
export const rateLimited = (headers: Record<string, string>) =>
  new GatewayError(429, 'rate_limited', 'rate limit exceeded', headers);
export const rateLimitUnavailable = () =>
  new GatewayError(503, 'rate_limit_unavailable', 'rate limiting backend unavailable');
export const upstreamUnavailable = (cause?: string) =>
  new GatewayError(502, 'upstream_unavailable', `upstream service unavailable${cause === undefined ? '' : ` (${cause})`}`, undefined, undefined, cause);
export const upstreamTimeout = (cause?: string) =>
  new GatewayError(504, 'upstream_timeout', `upstream service timed out${cause === undefined ? '' : ` (${cause})`}`, undefined, undefined, cause);
export const bodyStalled = (idleMs: number) =>
  new GatewayError(408, 'request_timeout', `the request body stalled: no byte arrived for ${idleMs} ms`);
export const shuttingDown = () => new GatewayError(503, 'shutting_down', 'gateway is shutting down');
export const badGrpcTimeout = () => new GatewayError(400, 'bad_grpc_timeout', 'grpc-timeout must be 1-8 digits followed by one of H M S m u n');
/** A gRPC request routed to a service that speaks HTTP/1.1 upstream: it could never work, say why. */
export const grpcNeedsHttp2 = () =>
  new GatewayError(502, 'upstream_unavailable', 'gRPC needs a service with http2: true (protocol_error)', undefined, undefined, 'protocol_error');
/** Every target of the service is unhealthy or ejected, or it has none (`targets: []`). */
export const noHealthyUpstream = () => new GatewayError(503, 'no_healthy_upstream', 'no healthy upstream target for this service');
/** The service's circuit breaker is open: more requests in flight than its connections and pending queue allow. */
export const upstreamOverloaded = () => new GatewayError(503, 'upstream_overloaded', 'the upstream service has too many requests in flight');
/** The share of a route's traffic that goes to a backend reference that did not resolve (Gateway API: 500). */
export const backendNotFound = (route: string) =>
  new GatewayError(500, 'backend_not_found', `route '${route}' sends this request to a backend that does not resolve`);
/** A route with no service, no backend with a weight above 0 and no redirect: nothing can answer it. */
export const noBackend = (route: string) => new GatewayError(500, 'no_backend', `route '${route}' has no service or backend that takes traffic`);
