// Test support: certificates to push through the admin API, made with openssl: a CA, an intermediate it signed and
// leaves the intermediate signed (valid now, expired, not yet valid), each with its key, as PEM text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
  cert: string;
  key: string;
}

export interface PushedCertificates {
  ca: PemPair;
  intermediate: PemPair;
  /** Leaf for api.example.com and *.example.com, signed by the intermediate; `chain` is leaf + intermediate. */
  leaf: PemPair & { chain: string };
  /** Another leaf for the same names (another key). */
  other: PemPair & { chain: string };
  expired: PemPair & { chain: string };
  notYetValid: PemPair & { chain: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `openssl ca` date: YYMMDDHHMMSSZ. */
function caDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

export function makePushedCertificates(): PushedCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-pushed-'));
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    ['[ca]', 'default_ca = ca_default', '[ca_default]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
      'default_md = sha256', 'policy = anything', 'unique_subject = no', 'copy_extensions = none', '[anything]', 'commonName = supplied', ''].join('\n'),
  );
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  key('ca');
  openssl(['req', '-x509', '-key', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=NovaGate pushed test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const sign = (name: string, signer: string, extensions: string, start: Date, end: Date) => {
    key(name);
    openssl(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', `${signer}.pem`, '-keyfile', `${signer}.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-notext', '-startdate', caDate(start), '-enddate', caDate(end), '-extfile', `${name}.ext`], dir);
  };
  const hour = 3600_000;
  const now = Date.now();
  sign('intermediate', 'ca', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n', new Date(now - hour), new Date(now + 48 * hour));
  const leafExt = 'subjectAltName=DNS:api.example.com,DNS:*.example.com\nextendedKeyUsage=serverAuth\n';
  sign('leaf', 'intermediate', leafExt, new Date(now - hour), new Date(now + 24 * hour));
  sign('other', 'intermediate', leafExt, new Date(now - hour), new Date(now + 24 * hour));
  sign('expired', 'intermediate', leafExt, new Date(now - 3 * hour), new Date(now - hour));
  sign('future', 'intermediate', leafExt, new Date(now + 24 * hour), new Date(now + 30 * hour));
  const pair = (name: string): PemPair & { chain: string } => ({ cert: read(`${name}.pem`), key: read(`${name}.key`), chain: read(`${name}.pem`) + read('intermediate.pem') });
  return {
    ca: { cert: read('ca.pem'), key: read('ca.key') },
    intermediate: { cert: read('intermediate.pem'), key: read('intermediate.key') },
    leaf: pair('leaf'),
    other: pair('other'),
    expired: pair('expired'),
    notYetValid: pair('future'),
  };
}
