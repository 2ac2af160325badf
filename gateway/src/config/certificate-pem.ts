// Checks a certificate chain and private key in PEM: both parse, the key matches the first certificate. Without a
// key (a CA bundle: one or more certificates, used only to verify upstreams) the chain alone must parse. The
// reasons name the field and never repeat PEM text (a key must never reach a nack, a log line or a 400).
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

export interface PemProblem {
  field: 'cert' | 'key';
  message: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM chain, leaf first; undefined when one does not parse or there is none. */
export function parseCertificateChain(pem: string): X509Certificate[] | undefined {
  const blocks = pem.match(CERTIFICATE_BLOCK);
  if (blocks === null) return undefined;
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    return undefined;
  }
}

function parsePrivateKey(pem: string): KeyObject | undefined {
  if (!pem.includes('-----BEGIN')) return undefined;
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}

/** Why `cert` and `key` cannot serve TLS together (or, without `key`, why `cert` is no CA bundle), or null. */
export function certificatePemProblem(cert: string, key: string | undefined): PemProblem | null {
  const chain = parseCertificateChain(cert);
  if (chain === undefined) return { field: 'cert', message: 'must be one or more certificates in PEM form' };
  if (key === undefined) return null;
  const privateKey = parsePrivateKey(key);
  if (privateKey === undefined) return { field: 'key', message: 'must be an unencrypted PEM private key' };
  const leaf = chain[0] as X509Certificate;
  const publicKey = createPublicKey(privateKey);
  if (!leaf.checkPrivateKey(privateKey) || !leaf.publicKey.equals(publicKey)) {
    return { field: 'key', message: 'does not match the certificate (the first certificate of cert)' };
  }
  return null;
}

/** A private key's fingerprint: SHA-256 (hex) of its PKCS#8 DER, so one key has one fingerprint whatever its PEM form. */
export function privateKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'pkcs8', format: 'der' })).digest('hex');
}

/** The fingerprint of a PEM private key, or undefined when it does not parse. */
export function privateKeyPemFingerprint(pem: string): string | undefined {
  const key = parsePrivateKey(pem);
  return key === undefined ? undefined : privateKeyFingerprint(key);
}
