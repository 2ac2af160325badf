// The stand-in for upstream's `echo-basic` pods: an HTTP server on one loopback address and port that answers every
// request with the JSON the conformance tests read (path, host, method, proto, headers, httpPort, namespace, pod),
// as echo-basic's RequestAssertions spells it. `X-Echo-Set-Header: Name:value,…` sets response headers, as there.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Who the server says it is: upstream fills these from the pod's environment. */
export interface EchoIdentity {
  namespace: string;
  pod: string;
}

/** The JSON body of an echo answer (echo-basic's RequestAssertions with its Context inlined). */
export interface EchoResponse {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  httpPort: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

/** Canonical MIME header case (`x-echo-set-header` → `X-Echo-Set-Header`), as Go's net/http reports names. */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
}

/** A request's headers as Go's http.Header holds them: canonical names, every value of repeated headers. */
export function goHeaders(request: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = canonicalHeaderName(raw[index]!);
    if (name === 'Host') continue; // Go moves Host out of the header map into Request.Host
    (headers[name] ??= []).push(raw[index + 1]!);
  }
  return headers;
}

/** The response headers that X-Echo-Set-Header asks for: `Name:value` pairs separated by commas. */
export function echoSetHeaders(values: readonly string[]): Map<string, string> {
  const set = new Map<string, string>();
  for (const list of values) {
    for (const pair of list.split(',')) {
      const trimmed = pair.trim();
      const colon = trimmed.indexOf(':');
      const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
      const value = colon === -1 ? '' : trimmed.slice(colon + 1);
      if (name === '') continue;
      const existing = set.get(name);
      set.set(name, existing === undefined ? value : `${existing},${value.trim()}`);
    }
  }
  return set;
}

export function echoResponse(request: IncomingMessage, identity: EchoIdentity, port: number): EchoResponse {
  return {
    path: request.url ?? '',
    host: request.headers.host ?? '',
    method: request.method ?? '',
    proto: `HTTP/${request.httpVersion}`,
    headers: goHeaders(request),
    httpPort: String(port),
    namespace: identity.namespace,
    ingress: '',
    service: '',
    pod: identity.pod,
  };
}

function answer(request: IncomingMessage, response: ServerResponse, identity: EchoIdentity, port: number): void {
  // The body is read to its end first, so a client that sends one is never answered mid-upload.
  request.resume();
  request.on('end', () => {
    const body = JSON.stringify(echoResponse(request, identity, port), null, 1);
    for (const [name, value] of echoSetHeaders(goHeaders(request)['X-Echo-Set-Header'] ?? [])) response.setHeader(name, value);
    response.setHeader('Content-Type', 'application/json');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.end(body);
  });
}

export interface EchoServer {
  address: string;
  port: number;
  identity: EchoIdentity;
  close(): Promise<void>;
}

/** Starts one echo server on `address:port` (port 0 picks a free one). */
export async function startEchoServer(identity: EchoIdentity, address: string, port = 0): Promise<EchoServer> {
  let boundPort = port;
  const server: Server = createServer({ maxHeaderSize: 64 * 1024 }, (request, response) => answer(request, response, identity, boundPort));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = server.address();
  boundPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  return {
    address,
    port: boundPort,
    identity,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
