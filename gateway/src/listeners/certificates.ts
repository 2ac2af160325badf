// Serving certificates for TLS listeners: each loaded once into a SecureContext, with the DNS names it covers
// and its expiry; per port, the SNI choice by exact name, then wildcard, then the port's default certificate.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { parseCertificateChain } from '../config/certificate-pem.js';

/** TLS 1.2 and 1.3 only (DESIGN §10 / issue 15). */
export const MIN_TLS_VERSION = 'TLSv1.2';

export interface LoadedCertificate {
  readonly name: string;
  readonly context: SecureContext;
  /** The PEM texts, kept in memory for the server's default context (never logged). */
  readonly cert: string;
  readonly key: string;
  /** DNS names of the leaf (subjectAltName, else its CN), lower case; `*.example.com` for a wildcard. */
  readonly dnsNames: readonly string[];
  /** notAfter of the leaf, seconds since the epoch. */
  readonly expiresAt: number;
}

function dnsNamesOf(leaf: X509Certificate): string[] {
  const names = (leaf.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  if (names.length > 0) return names;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
  return cn === undefined ? [] : [cn.toLowerCase()];
}

/** Loads a certificate and key already checked by certificatePemProblem. */
export function loadCertificate(name: string, cert: string, key: string): LoadedCertificate {
  const chain = parseCertificateChain(cert);
  if (chain === undefined) throw new Error(`certificate '${name}' is not PEM`);
  const leaf = chain[0] as X509Certificate;
  return {
    name,
    cert,
    key,
    context: createSecureContext({ cert, key, minVersion: MIN_TLS_VERSION }),
    dnsNames: dnsNamesOf(leaf),
    expiresAt: Math.floor(Date.parse(leaf.validTo) / 1000),
  };
}

export interface SniTable {
  readonly fallback: LoadedCertificate;
  readonly exact: ReadonlyMap<string, LoadedCertificate>;
  /** `.example.com` suffixes of wildcard names, longest first. */
  readonly wildcards: readonly { suffix: string; certificate: LoadedCertificate }[];
}

/** The SNI table of one port from its certificates in order (the first is the default); undefined when none loads. */
export function sniTable(certificates: readonly LoadedCertificate[]): SniTable | undefined {
  const fallback = certificates[0];
  if (fallback === undefined) return undefined;
  const exact = new Map<string, LoadedCertificate>();
  const wildcards: { suffix: string; certificate: LoadedCertificate }[] = [];
  for (const certificate of certificates) {
    for (const name of certificate.dnsNames) {
      if (name.startsWith('*.')) wildcards.push({ suffix: name.slice(1), certificate });
      else if (!exact.has(name)) exact.set(name, certificate);
    }
  }
  wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  return { fallback, exact, wildcards };
}

/** The certificate for a ClientHello's server name: exact, then wildcard (one label, as TLS clients check), then default. */
export function certificateFor(table: SniTable, servername: string | undefined): LoadedCertificate {
  if (servername === undefined || servername === '') return table.fallback;
  const name = servername.toLowerCase();
  const exact = table.exact.get(name);
  if (exact !== undefined) return exact;
  for (const { suffix, certificate } of table.wildcards) {
    if (name.endsWith(suffix) && name.length > suffix.length && !name.slice(0, name.length - suffix.length).includes('.')) return certificate;
  }
  return table.fallback;
}
