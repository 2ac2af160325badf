// The asymmetric JWS algorithms a provider may accept (RFC 7518 §3, RFC 8037), and what each needs of a key.
// The algorithm a token is checked with is the one its header names only when the provider lists it AND the
// chosen key is of the matching type and curve: the token alone never decides (no `none`, no HS* on a provider).
import type { KeyObject } from 'node:crypto';

export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface AlgorithmSpec {
  /** The node:crypto digest, or null for EdDSA (the curve fixes it). */
  readonly digest: string | null;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** For EC and OKP keys: the one curve (JWK `crv`) the algorithm takes. */
  readonly crv?: string;
  readonly pss?: boolean;
  /** ECDSA signatures are r||s of this many bytes each (JWS form, not DER). */
  readonly ecdsaPartBytes?: number;
}

export const ALGORITHM_SPECS: Readonly<Record<AsymmetricAlgorithm, AlgorithmSpec>> = {
  RS256: { digest: 'sha256', kty: 'RSA' },
  RS384: { digest: 'sha384', kty: 'RSA' },
  RS512: { digest: 'sha512', kty: 'RSA' },
  PS256: { digest: 'sha256', kty: 'RSA', pss: true },
  PS384: { digest: 'sha384', kty: 'RSA', pss: true },
  PS512: { digest: 'sha512', kty: 'RSA', pss: true },
  ES256: { digest: 'sha256', kty: 'EC', crv: 'P-256', ecdsaPartBytes: 32 },
  ES384: { digest: 'sha384', kty: 'EC', crv: 'P-384', ecdsaPartBytes: 48 },
  EdDSA: { digest: null, kty: 'OKP', crv: 'Ed25519' },
};

export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHM_SPECS, value);
}

/** The smallest RSA modulus accepted (NIST SP 800-131A): shorter keys are refused when a key set is read. */
export const MIN_RSA_BITS = 2048;

/** Whether a parsed public key is of the type and curve `alg` needs. */
export function keyFitsAlgorithm(key: KeyObject, alg: AsymmetricAlgorithm): boolean {
  const spec = ALGORITHM_SPECS[alg];
  const type = key.asymmetricKeyType;
  if (spec.kty === 'RSA') return type === 'rsa' || (spec.pss === true && type === 'rsa-pss');
  if (spec.kty === 'OKP') return type === 'ed25519';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return type === 'ec' && ((spec.crv === 'P-256' && curve === 'prime256v1') || (spec.crv === 'P-384' && curve === 'secp384r1'));
}
