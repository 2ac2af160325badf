// TLS_CERT_DIR: certificates that live on the gateway only (`<name>.crt` with `<name>.key`), read at start,
// on fs.watch events and every 30 s in case an event was missed (mounted Secrets swap a symlink). A file
// that does not parse or whose key does not match is logged with its name only, and the previous pair stays.
// `<name>.crt` without `<name>.key` is a CA bundle (keyless): services[].tls.caCertificate may name it, and
// compile refuses a listener or a clientCertificate that does (pipeline/compile.ts environmentProblems).
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { certificatePemProblem } from '../config/certificate-pem.js';
import type { Logger } from '../telemetry/logger.js';

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?)\.crt$/;
const MAX_FILE_BYTES = 64 * 1024;

export interface PemPair {
  readonly cert: string;
  /** Absent when there is no `<name>.key`: a CA bundle. */
  readonly key?: string | undefined;
}

export interface CertificateDir {
  get(name: string): PemPair | undefined;
  has(name: string): boolean;
  names(): string[];
  /** Reads the directory again now (the watcher and the timer call this too). */
  reload(): void;
  close(): void;
}

export interface CertificateDirOptions {
  dir: string;
  logger: Logger;
  /** Some pair was added, replaced or removed. */
  onChange: () => void;
  rereadMs?: number;
}

function readSmall(file: string): string {
  const text = readFileSync(file);
  if (text.length > MAX_FILE_BYTES) throw new Error('too large');
  return text.toString('utf8');
}

export function watchCertificateDir(options: CertificateDirOptions): CertificateDir {
  const { dir, logger } = options;
  let pairs = new Map<string, PemPair>();
  /** Files already reported as bad, with what made them bad, so one bad file is one log line, not one per re-read. */
  const reported = new Map<string, string>();

  function reportOnce(file: string, reason: string): void {
    if (reported.get(file) === reason) return;
    reported.set(file, reason);
    logger.error('TLS_CERT_DIR: certificate not loaded, the previous one (if any) stays in use', { file, reason });
  }

  function reload(): void {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      reportOnce(dir, (error as { code?: string }).code ?? 'unreadable');
      return;
    }
    const next = new Map<string, PemPair>();
    for (const entry of entries) {
      const name = NAME.exec(entry)?.[1];
      if (name === undefined) continue;
      const certFile = join(dir, entry);
      const keyFile = join(dir, `${name}.key`);
      let pair: PemPair;
      try {
        const key = entries.includes(`${name}.key`) ? readSmall(keyFile) : undefined;
        pair = { cert: readSmall(certFile), key };
      } catch (error) {
        reportOnce(certFile, `cannot read ${name}.crt or ${name}.key (${(error as { code?: string }).code ?? (error as Error).message})`);
        const previous = pairs.get(name);
        if (previous !== undefined) next.set(name, previous);
        continue;
      }
      const previousKeyed = pairs.get(name);
      if (pair.key === undefined && previousKeyed?.key !== undefined) {
        // A pair that lost its key (deleted, or mid-copy) keeps serving: turning keyless takes a restart.
        reportOnce(keyFile, `${name}.key is gone; a ${name}.crt alone is a CA bundle, which cannot replace a certificate with a key until the gateway restarts`);
        next.set(name, previousKeyed);
        continue;
      }
      const problem = certificatePemProblem(pair.cert, pair.key);
      if (problem !== null) {
        reportOnce(problem.field === 'cert' ? certFile : keyFile, `${problem.field} ${problem.message}`);
        const previous = pairs.get(name);
        if (previous !== undefined) next.set(name, previous);
        continue;
      }
      reported.delete(certFile);
      reported.delete(keyFile);
      next.set(name, pair);
    }
    const changed = next.size !== pairs.size || [...next].some(([name, pair]) => pairs.get(name)?.cert !== pair.cert || pairs.get(name)?.key !== pair.key);
    pairs = next;
    if (changed) options.onChange();
  }

  reload();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => reload());
    watcher.on('error', () => undefined);
  } catch {
    // No watching on this filesystem: the periodic re-read still picks changes up.
  }
  const timer = setInterval(reload, options.rereadMs ?? 30_000);
  timer.unref();
  return {
    get: (name) => pairs.get(name),
    has: (name) => pairs.has(name),
    names: () => [...pairs.keys()],
    reload,
    close() {
      clearInterval(timer);
      watcher?.close();
    },
  };
}
