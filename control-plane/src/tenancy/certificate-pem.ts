// Reads a pushed certificate (DESIGN §10 `certificates`): its PEM chain and private key (none for a CA bundle), checked and summarised
// (names, chain, validity, fingerprints). Pure. No refusal ever quotes the PEM text: messages name the field
// and the problem only.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { MAX_CERTIFICATE_PEM_CHARS, MAX_KEY_PEM_CHARS, privateKeyFingerprint, type ConfigProblem } from '@novagate/gateway/config';

/** Bounds of one certificate: a chain of at most 10 certificates in at most 64 KiB, a key in at most 16 KiB. */
// The gateway schema's bounds (PEM is ASCII, so its characters are bytes): what the control plane stores, a gateway takes.
export const MAX_CERT_PEM_BYTES = MAX_CERTIFICATE_PEM_CHARS;
export const MAX_KEY_PEM_BYTES = MAX_KEY_PEM_CHARS;
export const MAX_CHAIN_LENGTH = 10;
/** A certificate whose notBefore is at most this far ahead is accepted (clocks differ); further ahead it is refused. */
export const NOT_YET_VALID_LEEWAY_MS = 5 * 60 * 1000;

export interface ChainEntry {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

export interface CertificateSummary {
  /** The chain re-encoded as PEM, leaf first (only CERTIFICATE blocks; any text between blocks dropped). */
  certPem: string;
  chain: ChainEntry[];
  /** DNS names and IP addresses of the leaf's subjectAltName, or its CN when it has none. */
  names: string[];
  /** SHA-256 of the leaf's DER, lowercase hex. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

export type Inspection<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function blocksOf(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(BLOCK)].map((match) => ({ label: match[1] as string, pem: match[0] }));
}

function iso(date: string): string {
  return new Date(date).toISOString();
}

/** `DNS:a.example.com, IP Address:10.0.0.1` → ['a.example.com', '10.0.0.1']; the CN when there are none. */
function namesOf(leaf: X509Certificate): string[] {
  const names = (leaf.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1])
    .filter((name): name is string => name !== undefined);
  if (names.length > 0) return names;
  const cn = /^CN=(.+)$/m.exec(leaf.subject)?.[1];
  return cn === undefined ? [] : [cn];
}

/** Parses a PEM private key; problems name `path`. */
export function inspectPrivateKey(keyPem: string, path: string): Inspection<{ key: KeyObject; pem: string; sha256: string }> {
  const fail = (message: string): Inspection<never> => ({ ok: false, problems: [{ path, message }] });
  if (Buffer.byteLength(keyPem, 'utf8') > MAX_KEY_PEM_BYTES) return fail(`must be at most ${MAX_KEY_PEM_BYTES} bytes`);
  const blocks = blocksOf(keyPem);
  if (blocks.some((block) => block.label === 'ENCRYPTED PRIVATE KEY')) return fail('is encrypted with a passphrase; store the unencrypted key');
  const keys = blocks.filter((block) => KEY_LABELS.has(block.label));
  if (keys.length !== 1 || blocks.length !== 1) return fail('must be exactly one unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1)');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: (keys[0] as { pem: string }).pem, format: 'pem' });
  } catch {
    return fail('is not a readable private key');
  }
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { ok: true, value: { key, pem, sha256: privateKeyFingerprint(key) } };
}

/**
 * Parses a PEM chain, leaf first, and checks it is in date at `now`; problems name `path`. A `bundle` (a keyless
 * entry: CA certificates to verify upstreams with) may hold unrelated certificates, so their order is not checked;
 * its summary (names, fingerprint, validity) is its first certificate's.
 */
export function inspectCertificateChain(certPem: string, path: string, now: Date, bundle = false): Inspection<CertificateSummary> {
  const fail = (message: string, at = path): Inspection<never> => ({ ok: false, problems: [{ path: at, message }] });
  if (Buffer.byteLength(certPem, 'utf8') > MAX_CERT_PEM_BYTES) return fail(`must be at most ${MAX_CERT_PEM_BYTES} bytes`);
  const blocks = blocksOf(certPem);
  if (blocks.length === 0) return fail('must hold PEM CERTIFICATE blocks, leaf first');
  if (blocks.some((block) => block.label !== 'CERTIFICATE')) return fail('must hold only CERTIFICATE blocks (the key goes in `key`)');
  if (blocks.length > MAX_CHAIN_LENGTH) return fail(`must hold at most ${MAX_CHAIN_LENGTH} certificates`);
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block.pem));
    } catch {
      return fail(`certificate ${index + 1} of the chain is not a readable X.509 certificate`);
    }
  }
  const leaf = chain[0] as X509Certificate;
  for (let index = 0; !bundle && index + 1 < chain.length; index++) {
    if (!(chain[index] as X509Certificate).checkIssued(chain[index + 1] as X509Certificate)) {
      return fail(`certificate ${index + 2} of the chain did not issue certificate ${index + 1} (order the chain leaf first)`);
    }
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() <= now.getTime()) return fail(`expired on ${notAfter.toISOString()}`);
  if (notBefore.getTime() > now.getTime() + NOT_YET_VALID_LEEWAY_MS) return fail(`is not valid before ${notBefore.toISOString()}`);
  return {
    ok: true,
    value: {
      certPem: chain.map((certificate) => certificate.toString().trim()).join('\n') + '\n',
      chain: chain.map((certificate) => ({
        subject: certificate.subject,
        issuer: certificate.issuer,
        notBefore: iso(certificate.validFrom),
        notAfter: iso(certificate.validTo),
      })),
      names: namesOf(leaf),
      fingerprintSha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
      notBefore,
      notAfter,
    },
  };
}

/** Whether `key` is the private key of the chain's leaf. */
export function keyMatchesLeaf(certPem: string, key: KeyObject): boolean {
  const leaf = blocksOf(certPem)[0];
  return leaf !== undefined && new X509Certificate(leaf.pem).checkPrivateKey(key);
}
