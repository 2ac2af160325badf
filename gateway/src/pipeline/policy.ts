// What every gateway policy is: a handler built once per config and route, run per request in the order
// of pipeline/compile.ts. A handler returns nothing to let the request go on, or a GatewayError to answer it.
import type { IncomingMessage } from 'node:http';
import type { ConsumerConfig } from '../config/index.js';
import type { GatewayError } from '../errors.js';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly requestId: string;
  /** The client address (DESIGN §4: socket peer, or rightmost untrusted X-Forwarded-For behind a trusted proxy). */
  readonly clientIp: string;
  readonly routeName: string;
  /** Set by an auth policy when the credential belongs to a configured consumer. */
  consumer: ConsumerConfig | undefined;
  /** Request headers an auth policy consumed and that must not go upstream. */
  strippedHeaders: string[] | undefined;
  /** Headers added to the upstream request (jwt claimsToHeaders), after the client's copies are stripped. */
  upstreamHeaders?: Record<string, string> | undefined;
  /** Headers added to the response (RateLimit-*). */
  responseHeaders: Record<string, string> | undefined;
}

export type PolicyOutcome = GatewayError | undefined;
export type Policy = (ctx: RequestContext) => PolicyOutcome | Promise<PolicyOutcome>;
