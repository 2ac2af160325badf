// Why an upstream attempt failed, as one of a few stable classes: what a 502/504 body, the log line and
// novagate_upstream_errors_total{cause} say. Pure: it reads only the error's code (undici's UND_ERR_*,
// Node's errno and OpenSSL names), never its message, which can hold an address.
import { errorCode } from './retry.js';

export const UPSTREAM_CAUSES = [
  'connection_refused',
  'dns_failure',
  'tls_error',
  'connect_timeout',
  'timeout',
  'reset',
  'unreachable',
  'protocol_error',
  'other',
] as const;
export type UpstreamCause = (typeof UPSTREAM_CAUSES)[number];

const BY_CODE: ReadonlyMap<string, UpstreamCause> = new Map<string, UpstreamCause>([
  ['ECONNREFUSED', 'connection_refused'],
  ['ENOTFOUND', 'dns_failure'],
  ['EAI_AGAIN', 'dns_failure'],
  ['EAI_FAIL', 'dns_failure'],
  ['EAI_NONAME', 'dns_failure'],
  ['EAI_NODATA', 'dns_failure'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connect_timeout'],
  ['ETIMEDOUT', 'connect_timeout'],
  ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
  ['UND_ERR_BODY_TIMEOUT', 'timeout'],
  ['ECONNRESET', 'reset'],
  ['EPIPE', 'reset'],
  ['ECONNABORTED', 'reset'],
  ['UND_ERR_SOCKET', 'reset'],
  ['UND_ERR_CLOSED', 'reset'],
  ['EHOSTUNREACH', 'unreachable'],
  ['ENETUNREACH', 'unreachable'],
  ['EHOSTDOWN', 'unreachable'],
  ['ENETDOWN', 'unreachable'],
  ['EADDRNOTAVAIL', 'unreachable'],
  // A TLS client meeting a plain-text server reads garbage as a record header.
  ['EPROTO', 'tls_error'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_error'],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_error'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'tls_error'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls_error'],
  ['UNABLE_TO_GET_ISSUER_CERT', 'tls_error'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls_error'],
  ['CERT_HAS_EXPIRED', 'tls_error'],
  ['CERT_NOT_YET_VALID', 'tls_error'],
  ['CERT_REVOKED', 'tls_error'],
  ['CERT_UNTRUSTED', 'tls_error'],
  ['CERT_SIGNATURE_FAILURE', 'tls_error'],
  ['HOSTNAME_MISMATCH', 'tls_error'],
  ['UND_ERR_INFO', 'protocol_error'],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'protocol_error'],
  ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'protocol_error'],
]);

/** The class of an upstream failure; 'other' for codes not listed (the metric's labels stay bounded). */
export function upstreamCause(error: unknown): UpstreamCause {
  const code = errorCode(error);
  if (code === undefined) return 'other';
  const known = BY_CODE.get(code);
  if (known !== undefined) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_')) return 'tls_error';
  if (code.startsWith('HPE_')) return 'protocol_error';
  return 'other';
}

/** Timeouts answer 504, every other upstream failure 502. */
export function isTimeoutCause(cause: UpstreamCause): boolean {
  return cause === 'connect_timeout' || cause === 'timeout';
}
