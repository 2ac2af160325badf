// A real Prometheus (Debian's package) scrapes a running control plane (HTTPS, PostgreSQL) and a running
// gateway (standalone, its metrics port) on 127.0.0.1, with the chart's rendered alert rules loaded. Proves:
// the series and labels the alerts read exist in scraped data; no label value carries a raw id, a query
// string or a secret; NovaGateGatewayHighErrorRate fires once the upstream answers 500.
//
// The scrape jobs are named after the chart's Services and carry the namespace and pod target labels, as
// the chart's ServiceMonitors make the Prometheus Operator label them (scraping.test.ts proves the job part).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { registerTenant } from '@novagate/control-plane/testing/server';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { makeKey, signToken } from '@novagate/gateway/testing/jwt-idp';
import { componentName, releaseNamespace } from '../chart/render.js';
import { addedGatewayMetrics, designMetrics, metricsIn } from './metric-names.js';
import { alertsOf, renderRuleGroups, writeRuleFile, type AlertRule } from './rules.js';
import { activeAlerts, freePort, instantQuery, pollFor, prometheusApi, startPrometheus, type PrometheusServer } from './prometheus-server.js';
import { scrapeConfig, startTlsControlPlane, waitForBothTargets, type TlsControlPlane } from './scraped-stack.js';

const PROMETHEUS = '/usr/bin/prometheus';
const skip = existsSync(PROMETHEUS) ? false : `${PROMETHEUS} is missing: apt-get install -y prometheus (Debian), as .ci/run does`;

// Values that must never reach a label: a raw id, a query-string secret, an API key.
const RAW_ID = '12345';
const QUERY_SECRET = 'qs-s3cr3t-9f1c';
const WRONG_KEY = 'wrong-key-7d2e-s3cr3t';
const RIGHT_KEY = 'right-key-0b8a-s3cr3t';

const gatewayJob = componentName('gateway');
const controlPlaneJob = componentName('control-plane');
const errorRateAlert = 'NovaGateGatewayHighErrorRate';

let dir: string;
let served: TlsControlPlane | undefined;
let upstream: TestUpstream | undefined;
let gateway: GatewayProcess | undefined;
let prometheus: PrometheusServer | undefined;
let rules: AlertRule[];
let tenantId = '';
let upstreamFails = false;
let gatewayConfigDir: string | undefined;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'novagate-prom-e2e-'));
  served = await startTlsControlPlane(dir);
  const { controlPlane, tls } = served;
  upstream = await startUpstream((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(upstreamFails ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(upstreamFails ? 'broken' : 'ok');
    });
  });
  const configFile = writeConfigFile({
    services: [{ name: 'users', url: upstream.url, retries: 0 }],
    routes: [
      { name: 'users', service: 'users', paths: ['/users/:id'] },
      { name: 'private', service: 'users', paths: ['/private/*'], auth: 'key-auth' },
      { name: 'limited', service: 'users', paths: ['/limited'], rateLimit: { limit: 1, windowSeconds: 60, by: 'ip' } },
      // An identity provider that is down, so the JWKS failure series exists.
      {
        name: 'idp',
        service: 'users',
        paths: ['/idp/*'],
        auth: 'jwt',
        jwt: { providers: [{ name: 'idp', issuer: 'https://idp.test/', jwksUri: `http://127.0.0.1:${await freePort()}/jwks`, allowHttp: true, algorithms: ['RS256'] }] },
      },
    ],
    consumers: [{ username: 'alice', apiKeyHashes: [createHash('sha256').update(RIGHT_KEY).digest('hex')] }],
  });
  gatewayConfigDir = dirname(configFile);
  gateway = await startGatewayProcess({ CONFIG_FILE: configFile });

  // Small `for:` so the alert fires within seconds; thresholds stay the chart's defaults.
  const groups = renderRuleGroups({ set: ['gateway.mode=standalone', `monitoring.prometheusRule.alerts.${errorRateAlert}.for=2s`] });
  rules = alertsOf(groups);
  const ruleFile = writeRuleFile(dir, groups);
  prometheus = await startPrometheus(
    scrapeConfig({
      namespace: releaseNamespace,
      gatewayJob,
      gatewayMetricsPort: gateway.metricsPort,
      controlPlaneJob,
      controlPlaneMetricsPort: controlPlane.controlPlane.metricsPort,
      caFile: tls.caFile,
      ruleFiles: [ruleFile],
    }),
    PROMETHEUS,
  );

  // Traffic that makes every labelled series exist, each request with an id, a query-string secret or a key.
  const tenant = await registerTenant(controlPlane);
  tenantId = tenant.id;
  const listed = await controlPlane.request('GET', `/api/v1/tenants/${tenant.id}/routes?token=${QUERY_SECRET}`, { token: tenant.token });
  assert.equal(listed.status, 200, listed.text);
  assert.equal((await controlPlane.request('GET', `/api/v1/tenants/${RAW_ID}/routes?token=${QUERY_SECRET}`)).status, 401);
  for (let i = 0; i < 5; i++) assert.equal(await gatewayGet(`/users/${RAW_ID}${i}?token=${QUERY_SECRET}`), 200);
  assert.equal(await gatewayGet(`/private/${RAW_ID}?token=${QUERY_SECRET}`, { apikey: WRONG_KEY }), 401);
  assert.equal(await gatewayGet(`/private/${RAW_ID}`, { apikey: RIGHT_KEY }), 200);
  assert.equal(await gatewayGet(`/limited?token=${QUERY_SECRET}`), 200);
  assert.equal(await gatewayGet(`/limited?token=${QUERY_SECRET}`), 429);
  assert.equal(await gatewayGet(`/nowhere/${RAW_ID}?token=${QUERY_SECRET}`), 404);
});

after(async () => {
  await prometheus?.stop();
  await gateway?.stop();
  await upstream?.close();
  await served?.close();
  for (const folder of [dir, gatewayConfigDir]) if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

async function gatewayGet(path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${gateway!.port}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Waits until both targets are up and every gateway and control plane metric of DESIGN §9 has been scraped. */
async function waitForScrapedMetrics(extra: readonly string[] = []): Promise<Set<string>> {
  const wanted = [...designMetrics.gateway, ...designMetrics.controlPlane, ...extra];
  return waitForBothTargets(prometheus!, 'Prometheus did not scrape every gateway and control plane metric', (names) =>
    wanted.every((name) => names.has(name) || names.has(`${name}_bucket`)),
  );
}

/** The alert's expression without its final comparison (`> 0.05`, `== 0`, `< 14`) and without `or absent(…)`. */
function valueExpression(rule: AlertRule): string {
  const first = rule.expr.split(/\n\s*or\n/)[0]!;
  return first.replace(/\s*(>|<|==)\s*[0-9.e+-]+\s*$/, '');
}

test(`${errorRateAlert} fires after the upstream starts answering 500`, { skip }, async () => {
  await waitForScrapedMetrics();
  // Healthy first: the alert's ratio has a value (0) and the alert is neither pending nor firing.
  const rule = rules.find((candidate) => candidate.alert === errorRateAlert)!;
  assert.equal(rule.for, '2s');
  for (let i = 0; i < 10; i++) assert.equal(await gatewayGet(`/users/${i}`), 200);
  // No 5xx series yet, so the ratio has no value (rather than 0): the denominator has one, the numerator none.
  const [failed, all] = valueExpression(rule).split(/\n\s*\/\n/) as [string, string];
  await pollFor('the request rate has no value while healthy', async () => {
    const result = await instantQuery(prometheus!, all);
    return result.length > 0 && Number(result[0]!.value[1]) > 0 ? result : undefined;
  }, 15_000);
  assert.deepEqual(await instantQuery(prometheus!, failed), []);
  assert.deepEqual((await activeAlerts(prometheus!)).filter((alert) => alert.labels.alertname === errorRateAlert), []);

  upstreamFails = true;
  const faultAt = Date.now();
  let stopTraffic = false;
  const traffic = (async () => {
    while (!stopTraffic) {
      await Promise.all([1, 2, 3].map((i) => gatewayGet(`/users/${i}`).catch(() => 0)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const states: string[] = [];
    const firing = await pollFor(`${errorRateAlert} did not fire`, async () => {
      const alert = (await activeAlerts(prometheus!)).find((candidate) => candidate.labels.alertname === errorRateAlert);
      if (alert !== undefined && states.at(-1) !== alert.state) states.push(alert.state);
      return alert?.state === 'firing' ? alert : undefined;
    }, 60_000, 200);
    const seconds = (Date.now() - faultAt) / 1000;
    // `for: 2s` held: the alert became active (pending) at least 2 s before it was seen firing.
    assert.ok(Date.now() - Date.parse(firing.activeAt) >= 2_000, `active since ${firing.activeAt}, states seen: ${states.join(' → ')}`);
    assert.equal(firing.labels.job, gatewayJob);
    assert.equal(firing.labels.namespace, releaseNamespace);
    assert.equal(firing.labels.severity, 'critical');
    assert.ok(Number(firing.value) > 0.05, `ratio ${firing.value}`);
    assert.match(firing.annotations.runbook_url ?? '', /\/NovaGateGatewayHighErrorRate\.md$/);
    assert.match(firing.annotations.description ?? '', new RegExp(`${releaseNamespace}/${gatewayJob}`));
    const alertsSeries = await instantQuery(prometheus!, `ALERTS{alertname="${errorRateAlert}",alertstate="firing"}`);
    assert.equal(alertsSeries.length, 1);
    console.log(`${errorRateAlert} fired ${seconds.toFixed(1)} s after the upstream began answering 500 (ratio ${Number(firing.value).toFixed(2)}, states seen: ${states.join(' → ')})`);
  } finally {
    stopTraffic = true;
    await traffic;
    upstreamFails = false;
  }
});

// After the fault above, so that the 5xx series the error ratio divides exist.
test('the series and labels the gateway and control plane alerts read exist in the scraped data', { skip }, async () => {
  // A JWKS fetch that fails (its 503 comes after the error-rate test, which wants no 5xx before its fault).
  const idpToken = signToken(makeKey('RS256', 'k1'), { sub: 'x', iss: 'https://idp.test/', exp: Math.floor(Date.now() / 1000) + 600 });
  assert.equal(await gatewayGet('/idp/x', { authorization: `Bearer ${idpToken}` }), 503);
  const names = await waitForScrapedMetrics(addedGatewayMetrics);
  for (const metric of [...designMetrics.gateway, ...designMetrics.controlPlane]) {
    assert.ok(names.has(metric) || (names.has(`${metric}_bucket`) && names.has(`${metric}_count`)), `${metric} is scraped`);
  }
  // Each series of the labelled gateway metrics carries the labels DESIGN §9 gives them, plus the target's.
  const requestSeries = await prometheusApi<Record<string, string>[]>(prometheus!, 'series', [['match[]', `novagate_http_requests_total{job="${gatewayJob}"}`]]);
  assert.ok(requestSeries.length > 0);
  for (const series of requestSeries) {
    for (const label of ['route', 'path', 'method', 'status', 'job', 'namespace', 'pod', 'instance']) assert.ok(series[label], `novagate_http_requests_total has ${label}: ${JSON.stringify(series)}`);
  }
  assert.ok(requestSeries.some((series) => series.route === 'users' && series.path === '/users/:id' && series.status === '200'));
  assert.ok(requestSeries.some((series) => series.route === 'limited' && series.status === '429'));
  const buckets = await prometheusApi<Record<string, string>[]>(prometheus!, 'series', [['match[]', `novagate_http_request_duration_seconds_bucket{job="${gatewayJob}",route="users"}`]]);
  assert.ok(buckets.some((series) => series.le === '+Inf'));
  const authFailures = await instantQuery(prometheus!, `novagate_auth_failures_total{job="${gatewayJob}",route="private"}`);
  assert.ok(authFailures.length > 0 && authFailures.every((sample) => sample.metric.reason), 'auth failures by route and reason');

  // Every gateway and control plane alert: its selector matches scraped series, and its aggregation keeps
  // the labels it groups by (an empty result or a missing namespace would mean an alert that never fires).
  // rate() and increase() need two samples in the window: poll until each expression has a value.
  const checked = rules.filter((rule) => metricsIn(rule.expr).every((name) => !name.startsWith('novagate_reconcile') && !name.startsWith('novagate_workqueue')));
  assert.deepEqual(rules.filter((rule) => !checked.includes(rule)).map((rule) => rule.alert).sort(), ['NovaGateOperatorReconcileErrors', 'NovaGateOperatorWorkQueueDepth']);
  for (const rule of checked) {
    const expression = valueExpression(rule);
    const samples = await pollFor(`${rule.alert}: ${expression} has no value`, async () => {
      const result = await instantQuery(prometheus!, expression);
      return result.length > 0 ? result : undefined;
    }, 15_000);
    const grouped = /\bby \(([^)]*)\)/.exec(expression)?.[1]?.split(',').map((label) => label.trim()).filter((label) => label !== 'le') ?? ['job', 'namespace'];
    // A label the text reads only under `{{ with $labels.x }}` is optional (the gateway's certificates have a
    // `certificate` label, the control plane's one serving certificate has none); every other one must be there.
    const text = `${rule.annotations.description ?? ''} ${rule.annotations.summary ?? ''}`;
    const optional = new Set([...text.matchAll(/\{\{-? *with \$labels\.([a-z_]+)/g)].map((match) => match[1]!));
    const templated = [...text.matchAll(/\$labels\.([a-z_]+)/g)].map((match) => match[1]!).filter((label) => !optional.has(label));
    for (const sample of samples) {
      for (const label of new Set([...grouped, ...templated])) {
        assert.ok(sample.metric[label], `${rule.alert}: ${expression} keeps the label ${label} (${JSON.stringify(sample.metric)})`);
      }
      assert.ok(Number.isFinite(Number(sample.value[1])), `${rule.alert} has a number: ${sample.value[1]}`);
    }
  }
});

test('no label value holds a raw id, a query string or a secret', { skip }, async () => {
  await waitForScrapedMetrics();
  const labels = await prometheusApi<string[]>(prometheus!, 'labels');
  assert.ok(labels.includes('route') && labels.includes('path') && labels.includes('status'));
  const forbidden = [RAW_ID, QUERY_SECRET, WRONG_KEY, RIGHT_KEY, tenantId, 'token=', '?', 's3cr3t'];
  let values = 0;
  for (const label of labels) {
    if (label === '__name__') continue;
    for (const value of await prometheusApi<string[]>(prometheus!, `label/${encodeURIComponent(label)}/values`)) {
      values++;
      for (const needle of forbidden) assert.ok(!value.includes(needle), `label ${label}="${value}" holds ${JSON.stringify(needle)}`);
      // Addresses carry ports (`instance`, and an upstream `target`, which is host:port as the config writes it);
      // elsewhere a long digit run would be an id that leaked into a label.
      const checked = label === 'target' ? value.replace(/:\d{1,5}$/, '') : value;
      if (!['instance', 'le', 'quantile'].includes(label)) assert.doesNotMatch(checked, /\d{5,}/, `label ${label}="${value}" holds a number that looks like an id`);
      assert.doesNotMatch(value, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, `label ${label}="${value}" holds a UUID`);
    }
  }
  assert.ok(values > 20, `read ${values} label values`);
  const paths = await prometheusApi<string[]>(prometheus!, 'label/path/values');
  assert.ok(paths.includes('/users/:id') && paths.includes('/private/*'), `gateway paths are route templates: ${paths.join(', ')}`);
  const cpRoutes = (await instantQuery(prometheus!, `novagate_control_plane_http_requests_total{job="${controlPlaneJob}"}`)).map((sample) => sample.metric.route);
  assert.ok(cpRoutes.some((route) => route?.includes(':')), `control plane routes are templates: ${cpRoutes.join(', ')}`);
});
