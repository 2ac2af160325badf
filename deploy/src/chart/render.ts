// Renders charts/novagate with the real `helm template` and parses the manifests into objects.
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm, repoRoot } from '../tools.js';

export const chartDir = join(repoRoot, 'charts/novagate');
export const releaseName = 'ng';
export const releaseNamespace = 'novagate-system';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Values files, relative to the chart (e.g. ci/all-features-values.yaml). */
  valuesFiles?: readonly string[];
  /** --set expressions. */
  set?: readonly string[];
  /** --set-json expressions (helm's --set reads 0.2 as a string, which the schema refuses for a number). */
  setJson?: readonly string[];
  /** Extra arguments (e.g. --show-only templates/prometheusrule.yaml). */
  extraArgs?: readonly string[];
}

function templateArgs(options: RenderOptions): string[] {
  return [
    'template',
    releaseName,
    chartDir,
    '--namespace',
    releaseNamespace,
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', join(chartDir, file)]),
    ...(options.set ?? []).flatMap((expression) => ['--set', expression]),
    ...(options.setJson ?? []).flatMap((expression) => ['--set-json', expression]),
    ...(options.extraArgs ?? []),
  ];
}

export function renderManifests(options: RenderOptions = {}): string {
  const result = helm(templateArgs(options));
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return result.stdout;
}

export function renderChart(options: RenderOptions = {}): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(renderManifests(options))) {
    if (document.errors.length > 0) throw new Error(`helm template printed invalid YAML: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as KubeObject);
  }
  return objects;
}

/** Runs helm template expecting a refusal; returns helm's error output. */
export function renderFailure(options: RenderOptions): string {
  const result = helm(templateArgs(options));
  if (result.status === 0) throw new Error('helm template succeeded where it should have refused the values');
  return result.stderr;
}

export function findObject<T = KubeObject>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) {
    const present = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} among the rendered objects: ${present}`);
  }
  return found as unknown as T;
}

export const componentName = (component: 'control-plane' | 'gateway' | 'operator'): string => `${releaseName}-novagate-${component}`;
