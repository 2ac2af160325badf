// The alert rules as Prometheus loads them: the chart's PrometheusRule rendered with the real helm, its
// spec written out as a plain rule file for promtool.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findObject, renderChart, type RenderOptions } from '../chart/render.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

export function renderRuleGroups(options: RenderOptions = {}): RuleGroup[] {
  const objects = renderChart({ ...options, set: ['monitoring.prometheusRule.enabled=true', ...(options.set ?? [])] });
  const rule = findObject<{ spec: { groups: RuleGroup[] } }>(objects, 'PrometheusRule', 'ng-novagate');
  return rule.spec.groups;
}

export function alertsOf(groups: readonly RuleGroup[]): AlertRule[] {
  return groups.flatMap((group) => group.rules);
}

/** Writes the groups as a promtool/Prometheus rule file; returns its path. */
export function writeRuleFile(dir: string, groups: readonly RuleGroup[]): string {
  const path = join(dir, 'novagate-rules.yaml');
  writeFileSync(path, stringify({ groups }));
  return path;
}
