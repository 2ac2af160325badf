// One HTTP request to a Gateway as upstream's conformance roundtripper makes it (no redirects followed, the echo
// backend told which response headers to set), and the comparison of what came back with what a test expects
// (upstream CompareRoundTrip: status, then for 200/204 the request the backend saw, its pod and namespace and the
// response headers; for redirects the Location's scheme, host, port and path).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EchoResponse } from './echo-server.js';

export interface RequestSpec {
  host?: string;
  method?: string;
  /** Path with its query, as sent. */
  path: string;
  headers?: Record<string, string>;
  /** Sent over TLS with this SNI, trusting only `ca` (PEM). */
  tls?: { ca: string; serverName: string };
}

export interface ExpectedResponse {
  request: RequestSpec;
  /** What the backend must have received; absent, the request as sent (upstream's default). */
  expectedRequest?: { host?: string; method?: string; path?: string; headers?: Record<string, string>; absentHeaders?: string[] };
  redirectRequest?: { scheme?: string; host?: string; port?: string; path?: string };
  /** Response headers the echo backend is asked to set (X-Echo-Set-Header). */
  backendSetResponseHeaders?: Record<string, string>;
  response?: { statusCode?: number; statusCodes?: number[]; headers?: Record<string, string>; absentHeaders?: string[] };
  /** The answering pod's name must start with this (upstream checks the prefix); '' or absent matches any. */
  backend?: string;
  namespace?: string;
}

export interface CapturedRoundTrip {
  statusCode: number;
  /** Lower-case names, every value. */
  headers: Record<string, string[]>;
  echo: EchoResponse | null;
  /** The request path that was sent (without the query), for redirect defaults. */
  sentPath: string;
}

/** Sends one request; like upstream, always with X-Echo-Set-Header (empty unless the test asks for headers). */
export function roundTrip(gatewayAddress: string, spec: RequestSpec, backendSetResponseHeaders: Record<string, string> | undefined, timeoutMs: number): Promise<CapturedRoundTrip> {
  const colon = gatewayAddress.lastIndexOf(':');
  const hostname = gatewayAddress.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(gatewayAddress.slice(colon + 1));
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  headers.host = spec.host ?? gatewayAddress;
  headers['X-Echo-Set-Header'] = Object.entries(backendSetResponseHeaders ?? {})
    .map(([name, value]) => `${name}:${value}`)
    .join(',');
  return new Promise((resolve, reject) => {
    const options = { hostname, port, path: spec.path, method: spec.method ?? 'GET', headers, agent: false as const };
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const captured: Record<string, string[]> = {};
        const raw = response.rawHeaders;
        for (let index = 0; index + 1 < raw.length; index += 2) (captured[raw[index]!.toLowerCase()] ??= []).push(raw[index + 1]!);
        const status = response.statusCode ?? 0;
        let echo: EchoResponse | null = null;
        if (status === 200 || status === 204) {
          try {
            echo = JSON.parse(body) as EchoResponse;
          } catch {
            echo = null;
          }
        }
        resolve({ statusCode: status, headers: captured, echo, sentPath: spec.path.split('?')[0] ?? '' });
      });
      response.on('error', reject);
    };
    const req =
      spec.tls === undefined
        ? httpRequest(options, onResponse)
        : httpsRequest(
            { ...options, servername: spec.tls.serverName, ca: spec.tls.ca, rejectUnauthorized: true, checkServerIdentity: (host, cert) => checkServerIdentityAsGo(host, cert.subjectaltname ?? '') },
            onResponse,
          );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${gatewayAddress} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Go's crypto/x509 hostname rule, which upstream's client applies: a leading `*` label matches exactly one label,
 * whatever the pattern's length (`*.org` matches `example.org`, which Node's own check refuses).
 */
export function hostnameMatchesAsGo(pattern: string, host: string): boolean {
  const patternLabels = pattern.toLowerCase().replace(/\.$/, '').split('.');
  const hostLabels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (patternLabels.length !== hostLabels.length || patternLabels.some((label) => label === '') || hostLabels.some((label) => label === '')) return false;
  return patternLabels.every((label, index) => (index === 0 && label === '*') || label === hostLabels[index]);
}

function checkServerIdentityAsGo(host: string, subjectAltName: string): Error | undefined {
  const names = subjectAltName
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return names.some((name) => hostnameMatchesAsGo(name, host)) ? undefined : new Error(`certificate is valid for ${names.join(', ')}, not ${host}`);
}

function lowerCaseKeys(headers: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values]));
}

/** null when the captured round trip is what `expected` asks for, else the first difference. */
export function compareRoundTrip(expected: ExpectedResponse, captured: CapturedRoundTrip): string | null {
  const codes = [...(expected.response?.statusCodes ?? [])];
  if (expected.response?.statusCode !== undefined && !codes.includes(expected.response.statusCode)) codes.push(expected.response.statusCode);
  if (codes.length === 0) codes.push(200);
  if (!codes.includes(captured.statusCode)) return `expected status ${codes.join(' or ')}, got ${captured.statusCode}`;

  if (captured.statusCode === 200 || captured.statusCode === 204) {
    const echo = captured.echo;
    if (echo === null) return `status ${captured.statusCode} but the body is not an echo backend's JSON`;
    const want = expected.expectedRequest ?? { host: expected.request.host, method: expected.request.method, path: expected.request.path, headers: expected.request.headers };
    if (want.host !== undefined && want.host !== '' && want.host !== echo.host) return `expected host ${want.host}, got ${echo.host}`;
    const path = want.path ?? expected.request.path;
    if (path !== echo.path) return `expected path ${path}, got ${echo.path}`;
    const method = want.method ?? 'GET';
    if (method !== echo.method) return `expected method ${method}, got ${echo.method}`;
    if ((expected.namespace ?? '') !== echo.namespace) return `expected namespace ${expected.namespace ?? '""'}, got ${echo.namespace}`;
    const seenHeaders = lowerCaseKeys(echo.headers ?? {});
    for (const [name, value] of Object.entries(want.headers ?? {})) {
      const actual = seenHeaders[name.toLowerCase()];
      if (actual === undefined) return `expected request header ${name} to be set, backend saw ${JSON.stringify(echo.headers)}`;
      if (actual.join(',') !== value) return `expected request header ${name}: ${value}, backend saw ${actual.join(',')}`;
    }
    for (const name of want.absentHeaders ?? []) {
      const actual = seenHeaders[name.toLowerCase()];
      if (actual !== undefined) return `expected request header ${name} to be absent, backend saw ${actual.join(',')}`;
    }
    for (const [name, value] of Object.entries(expected.response?.headers ?? {})) {
      const actual = captured.headers[name.toLowerCase()];
      if (actual === undefined) return `expected response header ${name} to be set`;
      if (actual.join(',') !== value) return `expected response header ${name}: ${value}, got ${actual.join(',')}`;
    }
    for (const name of expected.response?.absentHeaders ?? []) {
      const actual = captured.headers[name.toLowerCase()];
      if (actual !== undefined) return `expected response header ${name} to be absent, got ${actual.join(',')}`;
    }
    if (!echo.pod.startsWith(expected.backend ?? '')) return `expected a pod of ${expected.backend}, got ${echo.pod}`;
    return null;
  }

  if ([300, 301, 302, 303, 307, 308].includes(captured.statusCode) && expected.redirectRequest !== undefined) {
    const location = captured.headers.location?.[0];
    if (location === undefined) return `status ${captured.statusCode} without a Location header`;
    let target: URL;
    try {
      target = new URL(location, `http://${expected.request.host ?? 'gateway'}${captured.sentPath}`);
    } catch {
      return `Location ${location} is not a URL`;
    }
    const scheme = target.protocol.replace(/:$/, '');
    const want = expected.redirectRequest;
    if (want.host !== undefined && want.host !== target.hostname) return `expected redirect host ${want.host}, got ${target.hostname}`;
    if (want.port === undefined || want.port === '') {
      if (scheme === 'http' && target.port !== '' && target.port !== '80') return `expected redirect port 80 or none for http, got ${target.port}`;
      if (scheme === 'https' && target.port !== '' && target.port !== '443') return `expected redirect port 443 or none for https, got ${target.port}`;
    } else if (want.port !== target.port) {
      return `expected redirect port ${want.port}, got ${target.port || 'none'}`;
    }
    if ((want.scheme ?? 'http') !== scheme) return `expected redirect scheme ${want.scheme ?? 'http'}, got ${scheme}`;
    if ((want.path ?? captured.sentPath) !== target.pathname) return `expected redirect path ${want.path ?? captured.sentPath}, got ${target.pathname}`;
  }
  return null;
}
