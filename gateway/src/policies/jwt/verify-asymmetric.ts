// Verifies a parsed token against a provider's key set with node:crypto, synchronously (the keys are already
// in memory). The algorithm must be one the provider accepts, the key is chosen by `kid` (or, without one,
// among the keys that fit the algorithm), and the key's own `alg`, type and curve must agree with it.
import { verify as cryptoVerify, constants } from 'node:crypto';
import { ALGORITHM_SPECS, isAsymmetricAlgorithm, keyFitsAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';
import type { PublicKey } from './jwk.js';
import { MAX_KID_LENGTH } from './jwk.js';
import type { ParsedToken } from './token.js';

export type SignatureFailure = 'unsupported_algorithm' | 'unsupported_critical_header' | 'malformed_token' | 'unknown_key' | 'bad_signature';

/** What the header asks for: the algorithm (checked against the provider) and the key id. */
export function headerRequest(
  header: Record<string, unknown>,
  accepted: readonly AsymmetricAlgorithm[],
): { ok: true; alg: AsymmetricAlgorithm; kid: string | undefined } | { ok: false; reason: SignatureFailure } {
  const alg = header.alg;
  if (!isAsymmetricAlgorithm(alg) || !accepted.includes(alg)) return { ok: false, reason: 'unsupported_algorithm' };
  if (header.crit !== undefined) return { ok: false, reason: 'unsupported_critical_header' };
  // jku/x5u/jwk in a header would let the token choose its own key: never followed, so refused outright.
  if (header.jku !== undefined || header.x5u !== undefined || header.jwk !== undefined || header.x5c !== undefined) return { ok: false, reason: 'unsupported_critical_header' };
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) return { ok: false, reason: 'malformed_token' };
  return { ok: true, alg, kid };
}

/** The keys that may check a token of `alg` and `kid` (by kid when given; otherwise every fitting key). */
export function candidateKeys(keys: readonly PublicKey[], alg: AsymmetricAlgorithm, kid: string | undefined): PublicKey[] {
  return keys.filter((key) => (kid === undefined || key.kid === kid) && (key.alg === undefined || key.alg === alg) && keyFitsAlgorithm(key.key, alg));
}

export function signatureValid(token: ParsedToken, alg: AsymmetricAlgorithm, key: PublicKey): boolean {
  const spec = ALGORITHM_SPECS[alg];
  if (spec.ecdsaPartBytes !== undefined && token.signature.length !== spec.ecdsaPartBytes * 2) return false;
  try {
    const input = Buffer.from(token.signingInput, 'latin1');
    if (spec.kty === 'OKP') return cryptoVerify(null, input, key.key, token.signature);
    if (spec.kty === 'EC') return cryptoVerify(spec.digest, input, { key: key.key, dsaEncoding: 'ieee-p1363' }, token.signature);
    if (spec.pss === true) {
      return cryptoVerify(spec.digest, input, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, token.signature);
    }
    return cryptoVerify(spec.digest, input, { key: key.key, padding: constants.RSA_PKCS1_PADDING }, token.signature);
  } catch {
    return false;
  }
}
