// A RequestContext for policy unit tests: what a request to `path` on an HTTP listener would carry.
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../pipeline/policy.js';

export function requestContext(fields: Partial<RequestContext> & { headers?: IncomingMessage['headers']; method?: string } = {}): RequestContext {
  const { headers, method, ...rest } = fields;
  return {
    req: { headers: headers ?? {}, method: method ?? 'GET' } as IncomingMessage,
    requestId: 'r',
    clientIp: '203.0.113.9',
    routeName: 'orders',
    path: '/',
    query: '',
    prefixRest: '/',
    host: 'api.example.com',
    secure: false,
    listenerPort: 80,
    consumer: undefined,
    strippedHeaders: undefined,
    responseHeaders: undefined,
    requestHeaderEdits: undefined,
    responseHeaderEdits: undefined,
    upstreamPath: undefined,
    upstreamHost: undefined,
    ...rest,
  };
}
