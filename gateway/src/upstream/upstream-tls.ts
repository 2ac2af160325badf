// A service's upstream TLS settings turned into connect options: the CA chain of a named certificate, the SNI
// and verification name, a client certificate for mTLS, and whether to verify at all. Certificates are found
// in the config's `certificates`, then in TLS_CERT_DIR. The fingerprint tells connections with different
// settings apart (and is a hash, so connection keys never hold PEM text). A certificate without a key (a CA bundle)
// serves as caCertificate only.
import { createHash } from 'node:crypto';
import type { GatewayConfig, UpstreamTlsConfig } from '../config/index.js';

export interface PemPair {
  readonly cert: string;
  /** Absent for a CA bundle (a keyless entry). */
  readonly key?: string | undefined;
}

/** A certificate by name: the config's own, then a gateway-local one (TLS_CERT_DIR). */
export type CertificateLookup = (name: string) => PemPair | undefined;

export interface UpstreamTlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** SNI and the name the certificate is verified against, when set (else the target's host name). */
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
  readonly minVersion: 'TLSv1.2';
  /** sha256 over the settings, for connection identity. */
  readonly fingerprint: string;
}

export function certificateLookup(config: GatewayConfig, local: ((name: string) => PemPair | undefined) | undefined): CertificateLookup {
  const pushed = new Map((config.certificates ?? []).map((certificate) => [certificate.name, certificate]));
  return (name) => pushed.get(name) ?? local?.(name);
}

/** Why `tls` cannot be used: the field naming a certificate that cannot be found, or a client certificate without a key. */
export type UpstreamTlsProblem = { missing: 'caCertificate' | 'clientCertificate' } | { keyless: 'clientCertificate' };

/** The connect options for `tls`, or why they cannot be made. */
export function upstreamTlsOptions(tls: UpstreamTlsConfig | undefined, lookup: CertificateLookup): UpstreamTlsOptions | UpstreamTlsProblem {
  if (tls === undefined) return { rejectUnauthorized: true, minVersion: 'TLSv1.2', fingerprint: '' };
  const ca = tls.caCertificate === undefined ? undefined : lookup(tls.caCertificate);
  if (tls.caCertificate !== undefined && ca === undefined) return { missing: 'caCertificate' };
  const client = tls.clientCertificate === undefined ? undefined : lookup(tls.clientCertificate);
  if (tls.clientCertificate !== undefined && client === undefined) return { missing: 'clientCertificate' };
  if (client !== undefined && client.key === undefined) return { keyless: 'clientCertificate' };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([ca?.cert ?? null, client?.cert ?? null, client?.key ?? null, tls.serverName ?? null, tls.verify]))
    .digest('hex')
    .slice(0, 32);
  return {
    ...(ca === undefined ? {} : { ca: ca.cert }),
    ...(client?.key === undefined ? {} : { cert: client.cert, key: client.key }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    rejectUnauthorized: tls.verify,
    minVersion: 'TLSv1.2',
    fingerprint,
  };
}
