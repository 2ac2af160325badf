// Reads JSON Web Keys (RFC 7517) into node:crypto public keys. Only public RSA, EC (P-256, P-384) and OKP
// (Ed25519) keys are taken; a key whose own `alg`, `kty` and `crv` disagree is refused, private members are
// refused, and RSA keys under 2048 bits are refused. Pure: no I/O.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ALGORITHM_SPECS, isAsymmetricAlgorithm, keyFitsAlgorithm, MIN_RSA_BITS, type AsymmetricAlgorithm } from './algorithms.js';

export interface PublicKey {
  readonly kid: string | undefined;
  /** The JWK's own `alg`, when it names one: then only that algorithm is checked with this key. */
  readonly alg: AsymmetricAlgorithm | undefined;
  readonly key: KeyObject;
}

/** Most keys kept from one key set; real IdPs publish 2-4. */
export const MAX_KEYS_PER_SET = 64;
export const MAX_KID_LENGTH = 256;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVES: Readonly<Record<string, string>> = { 'P-256': 'EC', 'P-384': 'EC', Ed25519: 'OKP' };

export type JwkResult = { ok: true; key: PublicKey } | { ok: false; problem: string };

/** Reads one JWK object; `problem` says why it cannot be used (it never repeats key material). */
export function readJwk(value: unknown): JwkResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'a key must be a JSON object' };
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)) return { ok: false, problem: 'a key must be public: it has private or symmetric key members' };
  const { kty, crv, alg, kid, use } = jwk;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return { ok: false, problem: 'kty must be RSA, EC or OKP' };
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) return { ok: false, problem: `kid must be a string of 1-${MAX_KID_LENGTH} characters` };
  if (use !== undefined && use !== 'sig') return { ok: false, problem: "use must be 'sig'" };
  if (alg !== undefined && !isAsymmetricAlgorithm(alg)) return { ok: false, problem: `alg must be one of ${Object.keys(ALGORITHM_SPECS).join(', ')}` };
  if (kty !== 'RSA') {
    if (typeof crv !== 'string' || CURVES[crv] !== kty) return { ok: false, problem: `crv must be ${kty === 'EC' ? 'P-256 or P-384' : 'Ed25519'} for kty ${kty}` };
  } else if (crv !== undefined) return { ok: false, problem: 'an RSA key takes no crv' };
  if (alg !== undefined) {
    const spec = ALGORITHM_SPECS[alg];
    if (spec.kty !== kty || (spec.crv !== undefined && spec.crv !== crv)) return { ok: false, problem: `alg ${alg} does not fit a ${kty}${typeof crv === 'string' ? ` ${crv}` : ''} key` };
  }
  const members = kty === 'RSA' ? ['n', 'e'] : kty === 'EC' ? ['x', 'y'] : ['x'];
  for (const member of members) {
    if (typeof jwk[member] !== 'string' || (jwk[member] as string).length > 2048) return { ok: false, problem: `${member} must be a base64url string` };
  }
  let key: KeyObject;
  try {
    const material: Record<string, string> = { kty };
    if (typeof crv === 'string') material.crv = crv;
    for (const member of members) material[member] = jwk[member] as string;
    key = createPublicKey({ key: material, format: 'jwk' });
  } catch {
    return { ok: false, problem: 'the key material is not a valid public key' };
  }
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return { ok: false, problem: `an RSA key needs at least ${MIN_RSA_BITS} bits` };
  if (alg !== undefined && !keyFitsAlgorithm(key, alg)) return { ok: false, problem: `alg ${alg} does not fit the key` };
  return { ok: true, key: { kid: kid as string | undefined, alg, key } };
}

export type KeySetResult = { ok: true; keys: PublicKey[]; skipped: number } | { ok: false; problem: string };

/** Reads a JWKS document `{keys: [...]}`: unusable keys (other types, encryption keys) are skipped, not fatal. */
export function readJwks(document: unknown): KeySetResult {
  if (document === null || typeof document !== 'object' || !Array.isArray((document as { keys?: unknown }).keys)) {
    return { ok: false, problem: 'not a JWKS document (no keys array)' };
  }
  const keys: PublicKey[] = [];
  let skipped = 0;
  for (const entry of (document as { keys: unknown[] }).keys) {
    const read = readJwk(entry);
    if (!read.ok) skipped++;
    else if (keys.length < MAX_KEYS_PER_SET) keys.push(read.key);
    else skipped++;
  }
  if (keys.length === 0) return { ok: false, problem: 'the key set holds no usable signing key' };
  return { ok: true, keys, skipped };
}
