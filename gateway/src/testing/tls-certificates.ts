// Throwaway certificates for TLS tests, made with openssl: a CA, a server certificate it signed for the IP
// 127.0.0.1 only (so that `localhost` is a wrong hostname), a client certificate, and an unrelated CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA that signed nothing here: trusting only it must refuse the server. */
  otherCaFile: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=NovaGate test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key };
}

function issue(dir: string, ca: { cert: string; key: string }, name: string, extensions: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  writeFileSync(ext, extensions);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { cert, key };
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-tls-'));
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  const server = issue(dir, ca, 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  const client = issue(dir, ca, 'client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  return {
    dir,
    caFile: ca.cert,
    serverCertFile: server.cert,
    serverKeyFile: server.key,
    clientCertFile: client.cert,
    clientKeyFile: client.key,
    otherCaFile: other.cert,
  };
}

export interface PemPair {
  cert: string;
  key: string;
}

export interface NamedCertificates {
  /** The CA's PEM, for clients to trust. */
  ca: string;
  /** By the name given: a certificate for its DNS names, signed by `ca`. */
  certificates: Record<string, PemPair>;
}

/** A CA and, per entry, a server certificate for the given DNS names (`*.example.com` allowed). */
export function makeNamedCertificates(names: Record<string, readonly string[]>): NamedCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-sni-'));
  const ca = makeCa(dir, 'ca');
  const certificates: Record<string, PemPair> = {};
  for (const [name, dnsNames] of Object.entries(names)) {
    const san = dnsNames.map((dns) => `DNS:${dns}`).join(',');
    const issued = issue(dir, ca, name, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`);
    certificates[name] = { cert: readFileSync(issued.cert, 'utf8'), key: readFileSync(issued.key, 'utf8') };
  }
  return { ca: readFileSync(ca.cert, 'utf8'), certificates };
}
