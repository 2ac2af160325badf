// Development and test TLS: a local CA and a server certificate for localhost/127.0.0.1, made once with
// openssl in the given folder (`npm start` uses .dev/tls). Gateways trust the CA through CONTROL_PLANE_CA_FILE.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function ensureDevTls(dir: string): DevTls {
  const tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
  if (existsSync(tls.caFile) && existsSync(tls.certFile) && existsSync(tls.keyFile)) return tls;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = join(dir, 'ca-key.pem');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', tls.caFile,
    '-days', '825', '-subj', '/CN=NovaGate development CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', tls.keyFile, '-out', csr, '-subj', '/CN=localhost']);
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  openssl(['x509', '-req', '-in', csr, '-CA', tls.caFile, '-CAkey', caKey, '-CAcreateserial', '-out', tls.certFile, '-days', '397', '-extfile', ext]);
  return tls;
}
