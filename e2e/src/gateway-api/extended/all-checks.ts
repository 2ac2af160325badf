// NovaGate's own Extended checks, one per Gateway API feature, in the order they are reported.
import { backendProtocolH2c } from './backend-protocol-h2c.js';
import { backendProtocolWebSocket } from './backend-protocol-websocket.js';
import { backendTimeout } from './backend-timeout.js';
import { cors } from './cors.js';
import type { ExtendedCheck } from './extended-check.js';
import { hostRewrite } from './host-rewrite.js';
import { methodMatching } from './method-matching.js';
import { pathRedirect } from './path-redirect.js';
import { pathRewrite } from './path-rewrite.js';
import { portRedirect } from './port-redirect.js';
import { queryParamMatching } from './query-param-matching.js';
import { redirect303, redirect307, redirect308 } from './redirect-status-codes.js';
import { requestMirror } from './request-mirror.js';
import { requestTimeout } from './request-timeout.js';
import { responseHeaderModification } from './response-header-modification.js';
import { schemeRedirect } from './scheme-redirect.js';

export const EXTENDED_CHECKS: readonly ExtendedCheck[] = [
  queryParamMatching,
  methodMatching,
  responseHeaderModification,
  portRedirect,
  schemeRedirect,
  pathRedirect,
  redirect303,
  redirect307,
  redirect308,
  hostRewrite,
  pathRewrite,
  requestMirror,
  requestTimeout,
  backendTimeout,
  cors,
  backendProtocolH2c,
  backendProtocolWebSocket,
];
