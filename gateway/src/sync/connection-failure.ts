// Names the likely cause of a failed control-plane connection and what to do about it, from the error's code
// and the URL's scheme: ws:// to a TLS port, TLS to a plain port, an unknown CA, DNS, refused, timeouts.
// Pure, so that each case is a row of a table test; the client logs the result.

export type ConnectionFailureCause =
  | 'plain_to_tls_port'
  | 'tls_to_plain_port'
  | 'unknown_ca'
  | 'certificate_name_mismatch'
  | 'certificate_expired'
  | 'tls_error'
  | 'dns_failure'
  | 'connection_refused'
  | 'unreachable'
  | 'timeout'
  | 'reset'
  | 'other';

export interface ConnectionFailure {
  cause: ConnectionFailureCause;
  /** One sentence for the operator: what probably happened and which setting to check. */
  hint: string;
}

export interface ConnectionFailureInput {
  /** The error's code (Node errno, OpenSSL name) if it had one. */
  code: string | undefined;
  message: string;
  secure: boolean;
  /** Whether CONTROL_PLANE_CA_FILE was given. */
  caConfigured: boolean;
}

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

export function describeConnectionFailure(input: ConnectionFailureInput): ConnectionFailure {
  const { code, secure } = input;
  if (code !== undefined && UNKNOWN_CA.has(code)) {
    return {
      cause: 'unknown_ca',
      hint: input.caConfigured
        ? "the control plane's certificate is not signed by the CA in CONTROL_PLANE_CA_FILE: point it at the CA that signed the control plane's certificate"
        : "the control plane's certificate is signed by a CA this gateway does not trust: set CONTROL_PLANE_CA_FILE to that CA's PEM file",
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return { cause: 'certificate_name_mismatch', hint: "the control plane's certificate does not name the host in CONTROL_PLANE_URL: use a name the certificate holds" };
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return { cause: 'certificate_expired', hint: "the control plane's certificate is expired or not valid yet (or this machine's clock is wrong)" };
  }
  if (secure && (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(input.message))) {
    return { cause: 'tls_to_plain_port', hint: 'the port answered in plain text, not TLS: check the port in CONTROL_PLANE_URL, or give the control plane TLS_CERT_FILE/TLS_KEY_FILE' };
  }
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || code === 'EPROTO')) {
    return { cause: 'tls_error', hint: `the TLS handshake with the control plane failed (${code})` };
  }
  if (!secure && (code === 'ECONNRESET' || code === 'HPE_INVALID_CONSTANT' || code === 'HPE_INVALID_VERSION')) {
    return { cause: 'plain_to_tls_port', hint: 'the port closed a plain-text connection: if the control plane serves TLS there, use a wss:// CONTROL_PLANE_URL' };
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return { cause: 'dns_failure', hint: 'the host in CONTROL_PLANE_URL does not resolve: check its spelling and this machine\'s DNS' };
    case 'ECONNREFUSED':
      return { cause: 'connection_refused', hint: 'nothing listens on that host and port: is the control plane running, and is the port in CONTROL_PLANE_URL its API port?' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { cause: 'unreachable', hint: 'no route to the control plane\'s host: check the network and firewalls' };
    case 'ETIMEDOUT':
      return { cause: 'timeout', hint: 'the control plane did not answer in time: check firewalls and that the port is its API port' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { cause: 'reset', hint: 'the connection was cut: a proxy or load balancer in between may not pass WebSockets' };
    default:
      break;
  }
  if (/handshake has timed out/i.test(input.message)) {
    return { cause: 'timeout', hint: 'the control plane accepted the connection but did not answer the upgrade in time' };
  }
  return { cause: 'other', hint: 'unexpected connection error' };
}
