// Validates rendered objects against the Kubernetes OpenAPI schemas shipped in the kubernetes-models
// packages (core and built-in groups, Prometheus Operator, cert-manager), and refuses fields that built-in
// kinds do not define. An object of a kind no package knows is an error, so a new template kind cannot
// slip past validation.
import type { KubeObject } from './render.js';
import { unknownFields } from './unknown-fields.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const packagesByGroup: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'cert-manager.io': '@kubernetes-models/cert-manager',
};

function modelSpecifier(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  const owner = packagesByGroup[group ?? ''] ?? 'kubernetes-models';
  return `${owner}/${group}/${version}/${kind}`;
}

/** Problems found in one object, as "Kind/name: path message" lines; empty when it is valid. */
export async function schemaProblems(object: KubeObject): Promise<string[]> {
  const label = `${object.kind}/${object.metadata?.name ?? '?'}`;
  let Model: ModelClass | undefined;
  try {
    const module = (await import(modelSpecifier(object.apiVersion, object.kind))) as Record<string, ModelClass>;
    Model = module[object.kind];
  } catch {
    Model = undefined;
  }
  if (Model === undefined) return [`${label}: no schema for ${object.apiVersion} ${object.kind}`];
  const problems = (unknownFields(object) ?? []).map((path) => `${label}: unknown field ${path}`);
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${label}: ${(error as Error).message}`);
  }
  return problems;
}
