// The chart's alerts, proven with the real promtool: `check rules` on the rendered PrometheusRule, and
// `test rules` with alerts.promtool.yaml, where each alert fires on a synthetic fault and stays silent on
// healthy series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promtool, repoRoot } from '../tools.js';
import { renderChart } from '../chart/render.js';
import { alertsOf, renderRuleGroups, writeRuleFile } from './rules.js';
import { addedGatewayMetrics, allDesignMetrics, designMetrics, metricsIn, metricsInDesign } from './metric-names.js';

const fixturePath = new URL('./alerts.promtool.yaml', import.meta.url);

interface PromtoolTests {
  tests: { name: string; alert_rule_test: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[] }[];
}

const expectedAlerts = [
  'NovaGateGatewayHighErrorRate',
  'NovaGateGatewayHighLatency',
  'NovaGateGatewayDisconnected',
  'NovaGateGatewayConfigVersionSkew',
  'NovaGateGatewayConfigRejected',
  'NovaGateRateLimitBackendErrors',
  'NovaGateJwksFetchFailing',
  'NovaGateUpstreamServiceDown',
  'NovaGateControlPlaneDown',
  'NovaGateControlPlaneDatabaseDown',
  'NovaGateConfigPushFailures',
  'NovaGateConfigNacks',
  'NovaGateGatewaysOutOfDate',
  'NovaGateCertificateExpiringSoon',
  'NovaGateOperatorReconcileErrors',
  'NovaGateOperatorWorkQueueDepth',
];

function withTempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the default chart renders the sixteen alerts in three groups', () => {
  const groups = renderRuleGroups();
  assert.deepEqual(
    groups.map((group) => group.name),
    ['novagate-gateway', 'novagate-control-plane', 'novagate-operator'],
  );
  assert.deepEqual(alertsOf(groups).map((rule) => rule.alert).sort(), [...expectedAlerts].sort());
});

test('promtool check rules accepts the rendered rules', (t) => {
  const path = writeRuleFile(withTempDir(t), renderRuleGroups({ valuesFiles: ['ci/all-features-values.yaml'] }));
  const result = promtool(['check', 'rules', path]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS: 16 rules found/);
});

test('promtool check rules refuses a broken expression (the check can fail)', (t) => {
  const groups = renderRuleGroups();
  groups[0]!.rules[0]!.expr = 'sum by (job) (rate(novagate_http_requests_total[5m])';
  const result = promtool(['check', 'rules', writeRuleFile(withTempDir(t), groups)]);
  assert.notEqual(result.status, 0);
});

test('promtool test rules: every alert fires on its fault and stays silent when healthy', (t) => {
  const dir = withTempDir(t);
  const rules = writeRuleFile(dir, renderRuleGroups());
  const testFile = join(dir, 'alerts.test.yaml');
  writeFileSync(testFile, stringify({ rule_files: [rules], ...(parse(readFileSync(fixturePath, 'utf8')) as object) }));
  const result = promtool(['test', 'rules', testFile]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS/);
});

test('promtool test rules fails when a threshold moves past the synthetic fault', (t) => {
  const dir = withTempDir(t);
  const rules = writeRuleFile(dir, renderRuleGroups({ setJson: ['monitoring.prometheusRule.alerts.NovaGateGatewayHighErrorRate.threshold=0.5'] }));
  const testFile = join(dir, 'alerts.test.yaml');
  writeFileSync(testFile, stringify({ rule_files: [rules], ...(parse(readFileSync(fixturePath, 'utf8')) as object) }));
  const result = promtool(['test', 'rules', testFile]);
  assert.notEqual(result.status, 0);
  assert.match(result.stdout + result.stderr, /alertname: NovaGateGatewayHighErrorRate/);
});

test('the promtool tests hold a firing and a silent case for every alert, and name no other alert', () => {
  const fixture = parse(readFileSync(fixturePath, 'utf8')) as PromtoolTests;
  const cases = fixture.tests.flatMap((group) => group.alert_rule_test);
  for (const alert of expectedAlerts) {
    const own = cases.filter((candidate) => candidate.alertname === alert);
    assert.ok(own.some((candidate) => (candidate.exp_alerts ?? []).length > 0), `${alert} has a firing case`);
    assert.ok(own.some((candidate) => (candidate.exp_alerts ?? []).length === 0), `${alert} has a silent case`);
  }
  assert.deepEqual([...new Set(cases.map((candidate) => candidate.alertname))].filter((name) => !expectedAlerts.includes(name)), []);
});

test('every alert carries severity, summary, description and a runbook_url', () => {
  for (const rule of alertsOf(renderRuleGroups())) {
    assert.match(rule.labels.severity ?? '', /^(critical|warning|info)$/, rule.alert);
    assert.ok(rule.annotations.summary && rule.annotations.description, rule.alert);
    assert.equal(rule.annotations.runbook_url, `https://github.com/novagate/novagate/blob/main/docs/runbooks/${rule.alert}.md`);
  }
});

test('alerts read only the metric names of DESIGN §9, the documented additions, and up', () => {
  const allowed = new Set([...allDesignMetrics, ...addedGatewayMetrics, 'up']);
  for (const rule of alertsOf(renderRuleGroups())) {
    const used = metricsIn(rule.expr);
    assert.ok(used.length > 0, `${rule.alert} reads a metric`);
    for (const name of used) assert.ok(allowed.has(name), `${rule.alert} reads ${name}, which neither DESIGN §9 nor README's additions define`);
  }
});

test('the metric list used here matches DESIGN.md §9 when the design is beside the repository', (t) => {
  const designPath = join(repoRoot, '..', 'shared', 'DESIGN.md');
  if (!existsSync(designPath)) {
    t.skip(`${designPath} is not here`);
    return;
  }
  assert.deepEqual(metricsInDesign(readFileSync(designPath, 'utf8')), [...allDesignMetrics].sort());
  assert.ok(designMetrics.gateway.length === 10);
});

test('thresholds, for durations and severities are values; an alert can be switched off', () => {
  const groups = renderRuleGroups({
    setJson: ['monitoring.prometheusRule.alerts.NovaGateGatewayHighErrorRate.threshold=0.2'],
    set: [
      'monitoring.prometheusRule.alerts.NovaGateGatewayHighErrorRate.for=15m',
      'monitoring.prometheusRule.alerts.NovaGateGatewayHighErrorRate.severity=warning',
      'monitoring.prometheusRule.alerts.NovaGateOperatorWorkQueueDepth.threshold=250',
      'monitoring.prometheusRule.alerts.NovaGateConfigNacks.enabled=false',
      'monitoring.prometheusRule.additionalLabels.team=platform',
    ],
  });
  const rules = alertsOf(groups);
  const errorRate = rules.find((rule) => rule.alert === 'NovaGateGatewayHighErrorRate')!;
  assert.match(errorRate.expr, /> 0\.2$/);
  assert.equal(errorRate.for, '15m');
  assert.deepEqual(errorRate.labels, { severity: 'warning', team: 'platform' });
  assert.match(rules.find((rule) => rule.alert === 'NovaGateOperatorWorkQueueDepth')!.expr, /> 250$/);
  assert.ok(!rules.some((rule) => rule.alert === 'NovaGateConfigNacks'));
});

test('a group whose alerts are all switched off is left out, and so is the PrometheusRule with none', () => {
  const operatorOff = ['NovaGateOperatorReconcileErrors', 'NovaGateOperatorWorkQueueDepth'].map((name) => `monitoring.prometheusRule.alerts.${name}.enabled=false`);
  assert.deepEqual(renderRuleGroups({ set: operatorOff }).map((group) => group.name), ['novagate-gateway', 'novagate-control-plane']);
  const objects = renderChart({
    // No control plane in the release: the operator's Gateway provisioner would need its URL, so none here.
    set: ['monitoring.prometheusRule.enabled=true', 'controlPlane.enabled=false', 'gateway.enabled=false', 'gatewayApi.provisioner.mode=none', ...operatorOff],
  });
  assert.deepEqual(objects.filter((object) => object.kind === 'PrometheusRule'), []);
});

test('rules select the release’s own series, or the selectors given in values', () => {
  const own = alertsOf(renderRuleGroups());
  assert.match(own.find((rule) => rule.alert === 'NovaGateGatewayDisconnected')!.expr, /novagate_control_plane_connected\{job="ng-novagate-gateway",namespace="novagate-system"\} == 0/);
  const custom = alertsOf(renderRuleGroups({ set: ['monitoring.prometheusRule.selectors.controlPlane=job="cp"'] }));
  assert.match(custom.find((rule) => rule.alert === 'NovaGateControlPlaneDatabaseDown')!.expr, /^novagate_database_up\{job="cp"\} == 0$/);
});

test('groups follow the components: no gateway-side disconnect alert for standalone gateways, no TLS alert without TLS', () => {
  const standalone = renderRuleGroups({ valuesFiles: ['ci/gateway-standalone-daemonset-values.yaml'] });
  assert.deepEqual(standalone.map((group) => group.name), ['novagate-gateway']);
  assert.ok(!alertsOf(standalone).some((rule) => rule.alert === 'NovaGateGatewayDisconnected'));
  const plain = renderRuleGroups({ valuesFiles: ['ci/namespaced-operator-plain-http-values.yaml'] });
  assert.deepEqual(plain.map((group) => group.name), ['novagate-control-plane', 'novagate-operator']);
  assert.ok(!alertsOf(plain).some((rule) => rule.alert === 'NovaGateCertificateExpiringSoon'));
});

test('the certificate-expiry alert covers the gateways’ TLS listeners too, in one rule; a gateway-only release keeps it', () => {
  const both = alertsOf(renderRuleGroups()).filter((rule) => rule.alert === 'NovaGateCertificateExpiringSoon');
  assert.equal(both.length, 1);
  assert.match(both[0]!.expr, /novagate_tls_certificate_expiry_timestamp_seconds\{job="ng-novagate-control-plane",namespace="novagate-system"\}/);
  assert.match(both[0]!.expr, /\nor\n\(novagate_tls_certificate_expiry_timestamp_seconds\{job="ng-novagate-gateway",namespace="novagate-system"\}/);
  const standalone = renderRuleGroups({ valuesFiles: ['ci/gateway-standalone-daemonset-values.yaml'] });
  const gatewayOnly = alertsOf(standalone).filter((rule) => rule.alert === 'NovaGateCertificateExpiringSoon');
  assert.equal(gatewayOnly.length, 1);
  assert.doesNotMatch(gatewayOnly[0]!.expr, /control-plane/);
});
