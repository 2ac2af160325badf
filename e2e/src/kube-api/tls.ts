// Generates the test server's certificate authority and its serving certificate for 127.0.0.1, in memory.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ServingCertificates {
  /** PEM of the generated CA: what a kubeconfig's certificate-authority-data trusts. */
  caPem: string;
  /** PEM of the serving certificate (SANs 127.0.0.1, ::1 and localhost), signed by the CA. */
  certPem: string;
  /** PEM of the serving certificate's private key. */
  keyPem: string;
}

// Keys come from node's native RSA generator: forge's pure-JavaScript one takes seconds.
function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function serialNumber(): string {
  // A positive serial number: the first byte stays below 0x80.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Makes a fresh CA and a serving certificate valid from an hour before `now` for `validDays`. */
export function generateServingCertificates(now = new Date(), validDays = 30): ServingCertificates {
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + validDays * 86_400_000);

  const caKeys = rsaKeys();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serialNumber();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caName = [{ name: 'commonName', value: 'novagate-kube-api-test-ca' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const servingKeys = rsaKeys();
  const serving = forge.pki.createCertificate();
  serving.publicKey = servingKeys.publicKey;
  serving.serialNumber = serialNumber();
  serving.validity.notBefore = notBefore;
  serving.validity.notAfter = notAfter;
  serving.setSubject([{ name: 'commonName', value: 'novagate-kube-api' }]);
  serving.setIssuer(caName);
  serving.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
      ],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  serving.sign(caKeys.privateKey, forge.md.sha256.create());

  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(serving), keyPem: servingKeys.pem };
}
