// The TLS material upstream's conformance suite creates before its tests (conformance/utils/suite, v1.6.1): the
// self-signed serving certificates the base Gateways' listeners name (`tls-validity-checks-certificate`, and
// `certificate` in the web-backend namespace), three CAs published as ConfigMaps (`ca.crt`), the certificates and
// client certificates they sign, all as kubernetes.io/tls Secrets (tls.crt, tls.key). Made with openssl, RSA 2048.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from './kube-client.js';
import type { NamespacedName } from './expectations.js';

const INFRA = 'gateway-conformance-infra';
const APP = 'gateway-conformance-app-backend';
const WEB = 'gateway-conformance-web-backend';

interface Pem {
  cert: string;
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** subjectAltName entries: URIs as URI:, everything else as DNS: (upstream's validateHost takes `*` and wildcards). */
export function subjectAltNames(hosts: readonly string[]): string {
  return hosts.map((host) => (host.includes('://') ? `URI:${host}` : `DNS:${host}`)).join(',');
}

class CertificateMaker {
  private count = 0;
  constructor(private readonly dir: string) {}

  private paths(): { cert: string; key: string; csr: string; ext: string } {
    const base = join(this.dir, String(this.count++));
    return { cert: `${base}.crt`, key: `${base}.key`, csr: `${base}.csr`, ext: `${base}.ext` };
  }

  private read(paths: { cert: string; key: string }): Pem {
    return { cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
  }

  /** A self-signed serving certificate for `hosts` (it is its own trust anchor, as upstream's). */
  selfSigned(hosts: readonly string[]): Pem {
    const paths = this.paths();
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', paths.key, '-out', paths.cert, '-days', '2', '-subj', '/O=NovaGate conformance',
      '-addext', `subjectAltName=${subjectAltNames(hosts)}`, '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign', '-addext', 'extendedKeyUsage=serverAuth']);
    return this.read(paths);
  }

  ca(): Pem {
    const paths = this.paths();
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', paths.key, '-out', paths.cert, '-days', '2', '-subj', '/O=NovaGate conformance CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign']);
    return this.read(paths);
  }

  /** Signed by `ca`: a serving certificate for `hosts`, or a client certificate when hosts is empty. */
  signed(ca: Pem, hosts: readonly string[]): Pem {
    const paths = this.paths();
    const caPaths = this.paths();
    writeFileSync(caPaths.cert, ca.cert);
    writeFileSync(caPaths.key, ca.key);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', paths.key, '-out', paths.csr, '-subj', '/O=NovaGate conformance']);
    const usage = hosts.length === 0 ? 'extendedKeyUsage=clientAuth\n' : `subjectAltName=${subjectAltNames(hosts)}\nextendedKeyUsage=serverAuth\n`;
    writeFileSync(paths.ext, `${usage}keyUsage=critical,digitalSignature,keyEncipherment\n`);
    openssl(['x509', '-req', '-in', paths.csr, '-CA', caPaths.cert, '-CAkey', caPaths.key, '-CAcreateserial', '-out', paths.cert, '-days', '2', '-extfile', paths.ext]);
    return this.read(paths);
  }
}

const tlsSecret = (namespace: string, name: string, pem: Pem) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') },
});

const caConfigMap = (namespace: string, name: string, ca: Pem) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { 'ca.crt': ca.cert, 'key.crt': ca.key },
});

/** The objects upstream's suite creates, in its order. */
export function conformanceTlsObjects(): Record<string, unknown>[] {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-conformance-tls-'));
  try {
    const make = new CertificateMaker(dir);
    const objects: Record<string, unknown>[] = [
      tlsSecret(WEB, 'certificate', make.selfSigned(['*'])),
      tlsSecret(INFRA, 'tls-validity-checks-certificate', make.selfSigned(['*', '*.org', '*.wildcard.org'])),
      caConfigMap(WEB, 'web-backend-cm', make.ca()),
    ];
    const validityCa = make.ca();
    objects.push(caConfigMap(INFRA, 'tls-validity-checks-ca-certificate', validityCa), tlsSecret(INFRA, 'tls-validity-checks-client-certificate', make.signed(validityCa, [])));
    const perPortCa = make.ca();
    objects.push(caConfigMap(INFRA, 'tls-validity-checks-per-port-ca-certificate', perPortCa), tlsSecret(INFRA, 'tls-validity-checks-per-port-client-certificate', make.signed(perPortCa, [])));
    const checksCa = make.ca();
    objects.push(
      caConfigMap(INFRA, 'tls-checks-ca-certificate', checksCa),
      tlsSecret(INFRA, 'tls-checks-certificate', make.signed(checksCa, ['abc.example.com', 'spiffe://abc.example.com/test-identity', 'other.example.com'])),
      tlsSecret(INFRA, 'tls-checks-client-certificate', make.signed(checksCa, [])),
      tlsSecret(INFRA, 'tls-passthrough-checks-certificate', make.signed(checksCa, ['abc.example.com'])),
      tlsSecret(APP, 'tls-passthrough-checks-certificate', make.signed(checksCa, ['abc.example.com'])),
      tlsSecret(INFRA, 'tls-terminate-checks-certificate', make.signed(checksCa, ['tls.example.com'])),
    );
    return objects;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TLS Secret's certificate (PEM), which clients of a self-signed listener trust as upstream's do. */
export async function serverCertificateOf(kube: KubeClient, secret: NamespacedName): Promise<string> {
  const object = await kube.get<{ data?: Record<string, string> }>('v1', 'Secret', secret.name, secret.namespace);
  const encoded = object?.data?.['tls.crt'];
  if (encoded === undefined) throw new Error(`Secret ${secret.namespace}/${secret.name} has no tls.crt`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}
