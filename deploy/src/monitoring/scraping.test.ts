// ServiceMonitors and the Grafana dashboard: the Prometheus Operator finds each component's metrics port
// under the job name the alerts select on, and every dashboard query is valid PromQL (promtool) over the
// metric names of DESIGN §9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { IService } from 'kubernetes-models/v1/Service';
import { promtool } from '../tools.js';
import { componentName, findObject, releaseNamespace, renderChart, type KubeObject } from '../chart/render.js';
import { alertsOf, renderRuleGroups } from './rules.js';
import { allDesignMetrics, metricsIn } from './metric-names.js';

interface ServiceMonitor extends KubeObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string; path: string; interval: string; scheme?: string; tlsConfig?: Record<string, unknown> }[];
  };
}

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: { name: string }[] };
  panels: { id: number; type: string; title: string; targets?: { expr: string; refId: string }[] }[];
}

test('no ServiceMonitor, PrometheusRule or dashboard unless enabled', () => {
  const kinds = renderChart().map((object) => object.kind);
  assert.ok(!kinds.includes('ServiceMonitor') && !kinds.includes('PrometheusRule') && !kinds.includes('ConfigMap'));
});

test('one ServiceMonitor per component, selecting its Service’s metrics port, with the labels Prometheus selects on', () => {
  const objects = renderChart({ valuesFiles: ['ci/all-features-values.yaml'] });
  const monitors = objects.filter((object) => object.kind === 'ServiceMonitor') as ServiceMonitor[];
  assert.deepEqual(monitors.map((monitor) => monitor.metadata.name).sort(), [componentName('control-plane'), componentName('gateway'), componentName('operator')].sort());
  const services = objects.filter((object) => object.kind === 'Service') as (KubeObject & IService)[];
  const expectedPorts: Record<string, number> = { [componentName('control-plane')]: 9090, [componentName('gateway')]: 9100, [componentName('operator')]: 8081 };
  for (const monitor of monitors) {
    assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
    assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [releaseNamespace]);
    const selected = services.filter((service) => Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels?.[key] === value));
    assert.equal(selected.length, 1, `${monitor.metadata.name} selects one Service`);
    const service = selected[0]!;
    // With a ServiceMonitor the job label is the Service's name: the one the alert rules select on.
    assert.equal(service.metadata.name, monitor.metadata.name);
    const [endpoint] = monitor.spec.endpoints;
    const port = service.spec?.ports?.find((candidate) => candidate.name === endpoint?.port);
    assert.equal(port?.port, expectedPorts[service.metadata.name], `${monitor.metadata.name} scrapes the metrics port`);
    assert.equal(endpoint?.path, '/metrics');
  }
  const controlPlane = monitors.find((monitor) => monitor.metadata.name === componentName('control-plane'))!;
  assert.equal(controlPlane.spec.endpoints[0]!.scheme, 'https', 'the control plane serves /metrics over TLS');
  const jobs = new Set(alertsOf(renderRuleGroups()).flatMap((rule) => [...rule.expr.matchAll(/job="([^"]+)"/g)].map((match) => match[1])));
  assert.deepEqual([...jobs].sort(), Object.keys(expectedPorts).sort());
});

test('Prometheus verifies the control plane’s certificate with its CA and the Service name, never skipping verification', () => {
  const controlPlaneEndpoint = (options: Parameters<typeof renderChart>[0]) =>
    findObject<ServiceMonitor>(renderChart(options), 'ServiceMonitor', componentName('control-plane')).spec.endpoints[0]!;
  assert.deepEqual(controlPlaneEndpoint({ valuesFiles: ['ci/all-features-values.yaml'] }).tlsConfig, {
    ca: { secret: { name: `${componentName('control-plane')}-tls`, key: 'ca.crt' } },
    serverName: `${componentName('control-plane')}.${releaseNamespace}.svc`,
  });
  // A certificate of your own: the CA in its TLS Secret (ca.crt), as the gateways verify it.
  const serverName = `${componentName('control-plane')}.${releaseNamespace}.svc`;
  assert.deepEqual(controlPlaneEndpoint({ set: ['monitoring.serviceMonitor.enabled=true'] }).tlsConfig, {
    ca: { secret: { name: 'novagate-control-plane-tls', key: 'ca.crt' } },
    serverName,
  });
  const ownCa = controlPlaneEndpoint({ set: ['monitoring.serviceMonitor.enabled=true', 'monitoring.serviceMonitor.controlPlaneCa.secretName=corp-ca', 'monitoring.serviceMonitor.controlPlaneCa.key=root.pem'] });
  assert.deepEqual(ownCa.tlsConfig, { ca: { secret: { name: 'corp-ca', key: 'root.pem' } }, serverName });
  const custom = controlPlaneEndpoint({ set: ['monitoring.serviceMonitor.enabled=true', 'monitoring.serviceMonitor.controlPlaneTlsConfig.serverName=cp.example.com'] });
  assert.deepEqual(custom.tlsConfig, { serverName: 'cp.example.com' });
  const plain = controlPlaneEndpoint({ valuesFiles: ['ci/namespaced-operator-plain-http-values.yaml'], set: ['monitoring.serviceMonitor.enabled=true'] });
  assert.equal(plain.scheme, undefined);
  assert.equal(plain.tlsConfig, undefined);
});

test('the dashboard ConfigMap carries the grafana_dashboard label and the dashboard JSON', () => {
  const objects = renderChart({ valuesFiles: ['ci/all-features-values.yaml'] });
  const configMap = findObject<KubeObject & { data: Record<string, string> }>(objects, 'ConfigMap', 'ng-novagate-dashboard');
  assert.equal(configMap.metadata.labels?.grafana_dashboard, '1');
  assert.equal(configMap.metadata.namespace, 'monitoring');
  const dashboard = JSON.parse(configMap.data['novagate.json']!) as Dashboard;
  assert.equal(dashboard.uid, 'novagate-overview');
  const ids = dashboard.panels.map((panel) => panel.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  assert.deepEqual(dashboard.templating.list.map((variable) => variable.name), ['datasource', 'namespace']);
});

function dashboardQueries(): { panel: string; expr: string }[] {
  const objects = renderChart({ set: ['monitoring.grafanaDashboard.enabled=true'] });
  const configMap = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', 'ng-novagate-dashboard');
  const dashboard = JSON.parse(configMap.data['novagate.json']!) as Dashboard;
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
}

test('the dashboard shows requests, errors, latency by route, rate limiting, gateways, config versions and reconciles', () => {
  const queries = dashboardQueries().map((query) => query.expr);
  const shows = (pattern: RegExp) => queries.some((expr) => pattern.test(expr));
  assert.ok(shows(/rate\(novagate_http_requests_total\{/), 'requests');
  assert.ok(shows(/status=~"5\.\."/), 'errors');
  assert.ok(shows(/histogram_quantile\(0\.99, sum by \(route, le\) \(rate\(novagate_http_request_duration_seconds_bucket/), 'latency by route');
  assert.ok(shows(/novagate_rate_limited_total/), 'rate-limited');
  assert.ok(shows(/novagate_gateways_connected/), 'gateways connected');
  assert.ok(shows(/^novagate_config_version\{/), 'config version per gateway');
  assert.ok(shows(/rate\(novagate_reconcile_total/), 'reconcile rate');
});

test('every dashboard query is valid PromQL over DESIGN §9 metric names', (t) => {
  const queries = dashboardQueries();
  const allowed = new Set(allDesignMetrics);
  for (const { panel, expr } of queries) {
    for (const name of metricsIn(expr)) assert.ok(allowed.has(name), `${panel}: ${name} is not a DESIGN §9 metric`);
  }
  // promtool parses recording rules offline: one rule per query, with Grafana's variables filled in.
  const rules = queries.map(({ expr }, index) => ({
    record: `dashboard:query_${index}`,
    expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*'),
  }));
  const dir = mkdtempSync(join(tmpdir(), 'novagate-dashboard-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dashboard-queries.yaml');
  writeFileSync(path, stringify({ groups: [{ name: 'dashboard', rules }] }));
  const result = promtool(['check', 'rules', path]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
});
