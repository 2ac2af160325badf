// The three forms of a tenant's pushed certificates in a config (DESIGN §10 "Private keys"): stored (the key sealed,
// in config_versions), public (the key's SHA-256 only: GET /config, and what the config hash covers) and revealed
// (the key as PEM: only the frame sent to a gateway, built in memory). A CA bundle has no key in any form. Pure.
import { canonicalConfig, type GatewayConfig } from '@novagate/gateway/config';
import type { SecretBox } from './secret-box.js';

export interface StoredCertificate {
  name: string;
  cert: string;
  key?: { sha256: string; sealed: string };
}
export interface PublicCertificate {
  name: string;
  cert: string;
  key?: { sha256: string };
}
export interface RevealedCertificate {
  name: string;
  cert: string;
  key?: string;
}

/** A snapshot as config_versions holds it: `certificates` only when the tenant has some (DESIGN §10 Compatibility). */
type ConfigWithout = Omit<GatewayConfig, 'certificates'>;
export type StoredConfig = ConfigWithout & { certificates?: StoredCertificate[] };
export type PublicConfig = ConfigWithout & { certificates?: PublicCertificate[] };
export type RevealedConfig = ConfigWithout & { certificates?: RevealedCertificate[] };

/** What GET /config shows: every key as its fingerprint. */
export function publicConfig(config: StoredConfig): PublicConfig {
  const { certificates, ...rest } = config;
  if (certificates === undefined) return config;
  return { ...rest, certificates: certificates.map(({ name, cert, key }) => (key === undefined ? { name, cert } : { name, cert, key: { sha256: key.sha256 } })) };
}

/** The stored text and the hash of a snapshot: the hash covers the public form (fingerprints, not sealed keys). */
export function serialiseSnapshot(config: StoredConfig): { json: string; hash: string } {
  const stored = canonicalConfig(config);
  if (config.certificates === undefined) return stored;
  return { json: stored.json, hash: canonicalConfig(publicConfig(config)).hash };
}

/**
 * The config a gateway receives: each key opened with `box` (under `tenantId`, the context it was sealed for).
 * Throws when a key cannot be opened (no box, or sealed under a key no longer accepted); never holds PEM in the error.
 */
export function revealConfig(config: StoredConfig, tenantId: string, box: SecretBox | undefined): RevealedConfig {
  const { certificates, ...rest } = config;
  if (certificates === undefined) return rest;
  return {
    ...rest,
    certificates: certificates.map(({ name, cert, key }) => {
      if (key === undefined) return { name, cert };
      if (box === undefined) throw new Error('the config holds certificates with keys but SECRETS_ENCRYPTION_KEY is not set on this control plane');
      return { name, cert, key: box.open(key.sealed, tenantId) };
    }),
  };
}
