// Runs every runbook's Diagnosis commands against a running stack, as an SRE would at 3 a.m.: a control
// plane (TLS, PostgreSQL) with a registered tenant, a gateway connected to it, a real Prometheus scraping both
// with the labels the chart's ServiceMonitors give, and the chart installed (release `novagate`, namespace
// `novagate`, the README's Secrets) on the project's Kubernetes API test server for the kubectl commands.
// Shell commands run in one bash per block with the variables of docs/runbooks/README.md set; a command passes
// when it writes nothing to stderr, exits 0 (or only a grep in it found nothing) and matches its `# expect:`.
// PromQL runs through Prometheus' API, and every metric it reads must exist in the scraped data (the operator's
// metrics and the kubelet's excepted: no operator and no kubelet run here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { registerTenant, type RegisteredTenant } from '@novagate/control-plane/testing/server';
import { startGatewayProcess, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { makeKey, signToken } from '@novagate/gateway/testing/jwt-idp';
import { startKubeApiServer, type KubeApiServer } from '@novagate/e2e/kube-api';
import { helmBinary, repoRoot } from '../tools.js';
import { chartDir } from '../chart/render.js';
import { metricsIn } from '../monitoring/metric-names.js';
import { freePort, instantQuery, pollFor, startPrometheus, type PrometheusServer } from '../monitoring/prometheus-server.js';
import { scrapeConfig, startTlsControlPlane, waitForBothTargets, type TlsControlPlane } from '../monitoring/scraped-stack.js';
import { diagnosisBlocks, whyNotRunnable } from './diagnosis-commands.js';

const PROMETHEUS = '/usr/bin/prometheus';
const KUBECTL = spawnSync('which', ['kubectl']).status === 0;
const skip = !existsSync(PROMETHEUS)
  ? `${PROMETHEUS} is missing: apt-get install -y prometheus (Debian), as .ci/run does`
  : !KUBECTL
    ? 'kubectl is missing'
    : false;

const NS = 'novagate';
const runbookDir = join(repoRoot, 'docs/runbooks');
const alertPages = readdirSync(runbookDir).filter((file) => /^NovaGate.*\.md$/.test(file)).sort();

let dir: string;
let served: TlsControlPlane | undefined;
let upstream: TestUpstream | undefined;
let gateway: GatewayProcess | undefined;
let prometheus: PrometheusServer | undefined;
let kube: KubeApiServer | undefined;
let tenant: RegisteredTenant;
let env: Record<string, string>;
let scrapedNames: Set<string>;

function run(file: string, args: string[], options: { env: Record<string, string>; input?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: options.env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const result = await run('kubectl', args, { env, ...(input === undefined ? {} : { input }) });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'novagate-runbooks-e2e-'));
  served = await startTlsControlPlane(dir);
  const { controlPlane, db, tls } = served;
  tenant = await registerTenant(controlPlane, 'Runbooks');
  upstream = await startUpstream();
  const config = {
    services: [
      { name: 'users', url: upstream.url },
      { name: 'gone', url: `http://127.0.0.1:${await freePort()}`, retries: 0 },
    ],
    routes: [
      { name: 'users', service: 'users', paths: ['/users/:id'], rateLimit: { limit: 1000, windowSeconds: 60, by: 'ip' } },
      { name: 'gone', service: 'gone', paths: ['/gone'] },
      // An identity provider that is down: its JWKS fetches fail (NovaGateJwksFetchFailing's series).
      {
        name: 'idp',
        service: 'users',
        paths: ['/idp/*'],
        auth: 'jwt',
        jwt: { providers: [{ name: 'idp', issuer: 'https://idp.test/', jwksUri: `http://127.0.0.1:${await freePort()}/jwks`, allowHttp: true, algorithms: ['RS256'] }] },
      },
    ],
    consumers: [],
  };
  const put = await controlPlane.request('PUT', `/api/v1/tenants/${tenant.id}/config`, { token: tenant.token, body: { config } });
  assert.equal(put.status, 200, put.text);
  const cpPort = new URL(controlPlane.url).port;
  gateway = await startGatewayProcess({
    CONTROL_PLANE_URL: `wss://localhost:${cpPort}`,
    CONTROL_PLANE_CA_FILE: tls.caFile,
    GATEWAY_API_KEY: tenant.gatewayApiKey,
    JWT_SECRET: 'runbook-test-jwt-secret-0123456789abcdefXYZ',
  });
  const gw = `http://127.0.0.1:${gateway.port}`;
  await pollFor('the gateway did not get its config', async () => ((await fetch(`${gw}/users/1`)).status === 200 ? true : undefined), 20_000);
  const idpToken = signToken(makeKey('RS256', 'k1'), { sub: 'x', iss: 'https://idp.test/', exp: Math.floor(Date.now() / 1000) + 600 });
  assert.equal((await fetch(`${gw}/idp/x`, { headers: { authorization: `Bearer ${idpToken}` } })).status, 503);

  prometheus = await startPrometheus(
    scrapeConfig({
      namespace: NS,
      gatewayJob: 'novagate-gateway',
      gatewayMetricsPort: gateway.metricsPort,
      controlPlaneJob: 'novagate-control-plane',
      controlPlaneMetricsPort: controlPlane.controlPlane.metricsPort,
      caFile: tls.caFile,
    }),
    PROMETHEUS,
  );

  kube = await startKubeApiServer();
  const home = join(dir, 'home');
  env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    KUBECONFIG: kube.kubeconfigPath,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    NS,
    CP: controlPlane.url,
    CP_METRICS: `https://localhost:${controlPlane.controlPlane.metricsPort}`,
    GW: gw,
    GW_METRICS: `http://127.0.0.1:${gateway.metricsPort}`,
    PLATFORM_TOKEN: tenant.token,
    TENANT_ID: tenant.id,
  };
  // The README's "1. Secrets", with the stack's real certificate and gateway key, then `helm install`.
  await kubectl(['create', 'namespace', NS]);
  await kubectl(['-n', NS, 'create', 'secret', 'generic', 'novagate-control-plane', `--from-literal=DATABASE_URL=${db.url}`, '--from-literal=PLATFORM_JWT_SECRET=runbook-platform-secret-0123456789abcdefXYZ']);
  const tlsSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: 'novagate-control-plane-tls', namespace: NS },
    stringData: { 'tls.crt': readFileSync(tls.certFile, 'utf8'), 'tls.key': readFileSync(tls.keyFile, 'utf8'), 'ca.crt': readFileSync(tls.caFile, 'utf8') },
  };
  await kubectl(['apply', '-f', '-'], stringify(tlsSecret));
  await kubectl(['-n', NS, 'create', 'secret', 'generic', 'novagate-gateway', `--from-literal=GATEWAY_API_KEY=${tenant.gatewayApiKey}`, '--from-literal=JWT_SECRET=runbook-test-jwt-secret-0123456789abcdefXYZ']);
  const installed = await run(helmBinary(), ['install', 'novagate', chartDir, '--namespace', NS], { env });
  assert.equal(installed.code, 0, installed.stderr);

  // Traffic, so that the request, latency and rate-limit series exist; then wait for the scrape.
  for (let i = 0; i < 5; i++) await (await fetch(`${gw}/users/${i}`)).arrayBuffer();
  // An upstream that is down: its 502s are what the error-rate runbook's cause checks find.
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${gw}/gone`)).status, 502);
  // Gateway telemetry → hub → the tenant's error_events → GET /errors, with the failure's cause as its code.
  await pollFor(
    'the gateway did not ship its error events',
    async () => {
      const listed = await controlPlane.request('GET', `/api/v1/tenants/${tenant.id}/errors?service=gone`, { token: tenant.token });
      const events = (listed.body?.data ?? []) as { code: string; count: number }[];
      return events.some((event) => event.code === 'connection_refused') ? true : undefined;
    },
    20_000,
  );
  scrapedNames = await waitForBothTargets(prometheus, 'Prometheus did not scrape both targets', (names) =>
    names.has('novagate_http_requests_total') && names.has('novagate_gateways_connected') && names.has('novagate_jwks_fetch_failures_total'),
  );
});

after(async () => {
  await prometheus?.stop();
  await gateway?.stop();
  await upstream?.close();
  await served?.close();
  await kube?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  command: string;
  ran: boolean;
  reason?: string;
  code?: number;
  stdout?: string;
  stderr?: string;
}

/** Runs one ```sh block in one bash (variables a command sets reach the next), each command's output kept apart. */
async function runBlock(commands: { command: string; expect: RegExp | undefined }[]): Promise<Outcome[]> {
  const work = mkdtempSync(join(dir, 'block-'));
  const script = commands
    .map(({ command }, index) =>
      whyNotRunnable(command) === undefined ? `{ ${command}\n} >'${work}/${index}.out' 2>'${work}/${index}.err' </dev/null; echo $? >'${work}/${index}.rc'` : '',
    )
    .join('\n');
  await run('bash', ['-c', script], { env });
  return commands.map(({ command }, index) => {
    const reason = whyNotRunnable(command);
    if (reason !== undefined) return { command, ran: false, reason };
    const read = (suffix: string) => readFileSync(join(work, `${index}.${suffix}`), 'utf8');
    return { command, ran: true, code: Number(read('rc').trim()), stdout: read('out'), stderr: read('err') };
  });
}

const OPERATOR_OR_NODE = /^(novagate_reconcile_|novagate_workqueue_|container_)/;

for (const page of alertPages) {
  test(`${page}: every Diagnosis command runs against the stack and finds what it looks for`, { skip, timeout: 120_000 }, async () => {
    const markdown = readFileSync(join(runbookDir, page), 'utf8');
    const { shell, promql } = diagnosisBlocks(markdown);
    let ran = 0;
    for (const block of shell) {
      for (const [index, outcome] of (await runBlock(block)).entries()) {
        if (!outcome.ran) continue;
        ran += 1;
        const where = `${page}: ${outcome.command}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
        // kubectl says an empty list on stderr; anything else there is an error.
        assert.equal(outcome.stderr?.replace(/^No resources found.*$/gm, '').trim(), '', where);
        assert.ok(outcome.code === 0 || (outcome.code === 1 && /\|\s*grep\b/.test(outcome.command)), `exit ${outcome.code}: ${where}`);
        const expected = block[index]!.expect;
        if (expected !== undefined) assert.match(outcome.stdout ?? '', expected, where);
      }
    }
    assert.ok(promql.length > 0, `${page}: no PromQL`);
    for (const query of promql) {
      await instantQuery(prometheus!, query); // throws on a query Prometheus refuses
      for (const name of metricsIn(query).filter((metric) => metric !== 'up' && !OPERATOR_OR_NODE.test(metric))) {
        assert.ok(scrapedNames.has(name) || scrapedNames.has(`${name}_bucket`), `${page}: ${name} is not in the scraped data (${query})`);
      }
    }
    // Pages whose every shell command needs pods still prove their PromQL; most run some shell too.
    if (!/Operator/.test(page)) assert.ok(ran > 0, `${page}: no Diagnosis command could run`);
  });
}
