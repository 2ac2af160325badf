// The structural-schema rules apiextensions.k8s.io/v1 enforces on a CRD's openAPIV3Schema, so a CRD generated from
// NovaGate's config schema that a real cluster would refuse is refused here too.
import type { FieldError } from '../errors.js';
import { isPlainObject } from '../object.js';
import { validate, type SchemaProps } from './schema.js';

type Node = Record<string, unknown>;

const junctors = ['allOf', 'anyOf', 'oneOf', 'not'] as const;
const forbiddenInJunctors = ['type', 'default', 'additionalProperties', 'nullable', 'description'];

function isIntOrString(node: Node): boolean {
  return node['x-kubernetes-int-or-string'] === true;
}

/** `anyOf: [{type: integer}, {type: string}]`, the one typed junctor allowed, beside x-kubernetes-int-or-string. */
function isIntOrStringPattern(anyOf: unknown): boolean {
  return Array.isArray(anyOf) && anyOf.every((sub) => isPlainObject(sub) && Object.keys(sub).length === 1 && (sub.type === 'integer' || sub.type === 'string'));
}

function checkJunctor(node: unknown, path: string, errors: FieldError[]): void {
  if (!isPlainObject(node)) return;
  for (const key of forbiddenInJunctors) {
    if (node[key] !== undefined) errors.push({ type: 'FieldValueForbidden', field: `${path}.${key}`, detail: 'must be empty to be structural' });
  }
  for (const child of Object.values(isPlainObject(node.properties) ? node.properties : {})) checkJunctor(child, `${path}.properties`, errors);
  if (node.items !== undefined) checkJunctor(node.items, `${path}.items`, errors);
  for (const junctor of junctors) for (const [i, sub] of (Array.isArray(node[junctor]) ? node[junctor] : node[junctor] ? [node[junctor]] : []).entries()) checkJunctor(sub, `${path}.${junctor}[${i}]`, errors);
}

function walk(node: Node, path: string, specified: 'root' | 'field' | 'item', errors: FieldError[], atMetadata: boolean): void {
  const typed = typeof node.type === 'string' && node.type !== '';
  if (!typed && !isIntOrString(node) && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    const what = specified === 'root' ? 'must not be empty at the root' : specified === 'field' ? 'must not be empty for specified object fields' : 'must not be empty for specified array items';
    errors.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: what });
  }
  if (node.$ref !== undefined) errors.push({ type: 'FieldValueForbidden', field: `${path}.$ref`, detail: '$ref is not supported' });
  if (node.uniqueItems === true) errors.push({ type: 'FieldValueForbidden', field: `${path}.uniqueItems`, detail: 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic' });
  if (node.additionalProperties === false) errors.push({ type: 'FieldValueForbidden', field: `${path}.additionalProperties`, detail: 'additionalProperties cannot be set to false' });
  if (node['x-kubernetes-preserve-unknown-fields'] === false) errors.push({ type: 'FieldValueInvalid', field: `${path}.x-kubernetes-preserve-unknown-fields`, detail: 'false: must be true or undefined' });
  if (node.properties !== undefined && node.additionalProperties !== undefined && node.additionalProperties !== true) {
    errors.push({ type: 'FieldValueForbidden', field: `${path}.additionalProperties`, detail: 'additionalProperties and properties are mutual exclusive' });
  }
  if (atMetadata) {
    // Not even a description: the real server answers "must not specify anything other than name and generateName".
    const allowed = new Set(['type', 'properties']);
    for (const key of Object.keys(node)) if (!allowed.has(key)) errors.push({ type: 'FieldValueForbidden', field: `${path}.${key}`, detail: 'must not be specified for metadata: only restrictions on metadata.name and metadata.generateName are allowed' });
    for (const key of Object.keys(isPlainObject(node.properties) ? node.properties : {})) {
      if (key !== 'name' && key !== 'generateName') errors.push({ type: 'FieldValueForbidden', field: `${path}.properties[${key}]`, detail: 'must not be specified for metadata: only restrictions on metadata.name and metadata.generateName are allowed' });
    }
  }
  if (node.default !== undefined) {
    const problems = validate(node.default, node as SchemaProps, 'default');
    for (const problem of problems) errors.push({ ...problem, field: `${path}.default` });
  }
  for (const junctor of junctors) {
    if (junctor === 'anyOf' && isIntOrString(node) && isIntOrStringPattern(node.anyOf)) continue;
    for (const [i, sub] of (Array.isArray(node[junctor]) ? node[junctor] : node[junctor] ? [node[junctor]] : []).entries()) checkJunctor(sub, `${path}.${junctor}[${i}]`, errors);
  }
  for (const [key, child] of Object.entries(isPlainObject(node.properties) ? node.properties : {})) {
    if (isPlainObject(child)) walk(child, `${path}.properties[${key}]`, 'field', errors, specified === 'root' && key === 'metadata');
  }
  if (isPlainObject(node.additionalProperties)) walk(node.additionalProperties, `${path}.additionalProperties`, 'field', errors, false);
  if (isPlainObject(node.items)) walk(node.items, `${path}.items`, 'item', errors, false);
}

/** Every way the schema at `path` is not structural, with the field paths the real server names. */
export function structuralErrors(schema: unknown, path: string): FieldError[] {
  if (!isPlainObject(schema)) return [];
  const errors: FieldError[] = [];
  walk(schema, path, 'root', errors, false);
  return errors;
}
