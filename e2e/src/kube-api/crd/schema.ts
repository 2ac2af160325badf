// What the real server does with a CRD's openAPIV3Schema on every write: prune unknown fields, apply defaults, validate.
import type { FieldError } from '../errors.js';
import { clone, isPlainObject } from '../object.js';

/** The subset of JSONSchemaProps the server acts on. */
export interface SchemaProps {
  type?: string;
  properties?: Record<string, SchemaProps>;
  additionalProperties?: SchemaProps | boolean;
  items?: SchemaProps;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  nullable?: boolean;
  anyOf?: SchemaProps[];
  allOf?: SchemaProps[];
  oneOf?: SchemaProps[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

function childSchema(schema: SchemaProps, key: string): SchemaProps | undefined {
  const property = schema.properties?.[key];
  if (property) return property;
  if (isPlainObject(schema.additionalProperties)) return schema.additionalProperties as SchemaProps;
  return undefined;
}

/** Drops fields the schema does not know, except under x-kubernetes-preserve-unknown-fields. */
export function prune(value: unknown, schema: SchemaProps | undefined, isRoot = false): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) return schema.items ? value.map((item) => prune(item, schema.items)) : value;
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  const keepUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
  for (const [key, child] of Object.entries(value)) {
    // The object's own apiVersion/kind/metadata, and those of an x-kubernetes-embedded-resource, are not the schema's to prune.
    if ((isRoot || schema['x-kubernetes-embedded-resource'] === true) && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      result[key] = child;
      continue;
    }
    const sub = childSchema(schema, key);
    if (sub) result[key] = prune(child, sub);
    else if (keepUnknown) result[key] = child;
  }
  return result;
}

/** Paths present in `original` that pruning removed: what fieldValidation=Strict refuses. */
export function unknownFields(original: unknown, pruned: unknown, path = ''): string[] {
  if (Array.isArray(original) && Array.isArray(pruned)) return original.flatMap((item, i) => unknownFields(item, pruned[i], `${path}[${i}]`));
  if (!isPlainObject(original) || !isPlainObject(pruned)) return [];
  return Object.entries(original).flatMap(([key, value]) => {
    const at = path === '' ? key : `${path}.${key}`;
    return key in pruned ? unknownFields(value, pruned[key], at) : [at];
  });
}

/** Fills in `default`s of absent properties, top-down, as the server does after pruning. */
export function applyDefaults(value: unknown, schema: SchemaProps | undefined): unknown {
  if (!schema) return value;
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(item, schema.items)) : value;
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = { ...value };
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (result[key] === undefined && sub.default !== undefined) result[key] = clone(sub.default);
    if (result[key] !== undefined) result[key] = applyDefaults(result[key], sub);
  }
  if (isPlainObject(schema.additionalProperties)) {
    for (const key of Object.keys(result)) {
      if (!schema.properties?.[key]) result[key] = applyDefaults(result[key], schema.additionalProperties as SchemaProps);
    }
  }
  return result;
}

/** The string formats the real server checks that NovaGate's CRDs use; other formats are accepted as they are. */
const formats: Record<string, (value: string) => boolean> = {
  'date-time': (v) => /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d\d-\d\d$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  byte: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  ipv4: (v) => /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(v),
  email: (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v),
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'null';
}

/**
 * Items that repeat an earlier one in an `x-kubernetes-list-type: set` list, or its keys in a `map` list (a real
 * kube-apiserver refuses both with "Duplicate value").
 */
function duplicateItems(list: unknown[], schema: SchemaProps, path: string): FieldError[] {
  const type = schema['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return [];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  list.forEach((item, i) => {
    const identity = type === 'set' ? item : Object.fromEntries(keys.filter((key) => isPlainObject(item) && item[key] !== undefined).map((key) => [key, (item as Record<string, unknown>)[key]]));
    const key = JSON.stringify(identity);
    if (seen.has(key)) {
      const detail = type === 'set' ? show(item) : `map[string]interface {}{${Object.entries(identity as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${show(v)}`).join(', ')}}`;
      errors.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, detail });
    }
    seen.add(key);
  });
  return errors;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Validates against the schema and returns every field error, with paths like `spec.routes[0].path`. */
export function validate(value: unknown, schema: SchemaProps | undefined, path = ''): FieldError[] {
  if (!schema) return [];
  const errors: FieldError[] = [];
  const at = path === '' ? '<root>' : path;
  if (value === null) {
    if (!schema.nullable && schema.type) errors.push({ type: 'FieldValueTypeInvalid', field: at, detail: `"null": ${at} in body must be of type ${schema.type}: "null"` });
    return errors;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeOf(value) !== 'integer' && typeof value !== 'string') errors.push({ type: 'FieldValueTypeInvalid', field: at, detail: `${show(value)}: ${at} in body must be of type integer or string` });
  } else if (schema.type && !typeMatches(schema.type, value)) {
    errors.push({ type: 'FieldValueTypeInvalid', field: at, detail: `"${typeOf(value)}": ${at} in body must be of type ${schema.type}: "${typeOf(value)}"` });
    return errors;
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    errors.push({ type: 'FieldValueNotSupported', field: at, detail: `${show(value)}: supported values: ${schema.enum.map(show).join(', ')}` });
  }
  if (typeof value === 'string' && schema.format !== undefined) {
    const check = formats[schema.format];
    if (check && !check(value)) errors.push({ type: 'FieldValueInvalid', field: at, detail: `${show(value)}: ${at} in body must be of type ${schema.format}: ${show(value)}` });
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push({ type: 'FieldValueInvalid', field: at, detail: `${show(value)}: ${at} in body should match '${schema.pattern}'` });
    }
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) {
      errors.push({ type: 'FieldValueTooLong', field: at, detail: `may not be more than ${schema.maxLength} bytes` });
    }
    if (schema.minLength !== undefined && [...value].length < schema.minLength) {
      errors.push({ type: 'FieldValueInvalid', field: at, detail: `${show(value)}: ${at} in body should be at least ${schema.minLength} chars long` });
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      errors.push({ type: 'FieldValueInvalid', field: at, detail: `${value}: ${at} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}` });
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      errors.push({ type: 'FieldValueInvalid', field: at, detail: `${value}: ${at} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}` });
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push({ type: 'FieldValueTooMany', field: at, detail: `${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push({ type: 'FieldValueInvalid', field: at, detail: `${value.length}: ${at} in body should have at least ${schema.minItems} items` });
    value.forEach((item, i) => errors.push(...validate(item, schema.items, `${path}[${i}]`)));
    errors.push(...duplicateItems(value, schema, path));
  }
  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) errors.push({ type: 'FieldValueRequired', field: path === '' ? key : `${path}.${key}`, detail: '' });
    }
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) errors.push({ type: 'FieldValueTooMany', field: at, detail: `${count}: must have at most ${schema.maxProperties} items` });
    if (schema.minProperties !== undefined && count < schema.minProperties) errors.push({ type: 'FieldValueInvalid', field: at, detail: `${count}: ${at} in body should have at least ${schema.minProperties} properties` });
    for (const [key, child] of Object.entries(value)) {
      if (path === '' && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
      errors.push(...validate(child, childSchema(schema, key), path === '' ? key : `${path}.${key}`));
    }
  }
  for (const sub of schema.allOf ?? []) errors.push(...validate(value, sub, path));
  if (schema.anyOf && !schema.anyOf.some((sub) => validate(value, sub, path).length === 0)) {
    errors.push({ type: 'FieldValueInvalid', field: at, detail: `${show(value)}: ${at} in body must match at least one schema (anyOf)` });
  }
  if (schema.oneOf && schema.oneOf.filter((sub) => validate(value, sub, path).length === 0).length !== 1) {
    errors.push({ type: 'FieldValueInvalid', field: at, detail: `${show(value)}: ${at} in body must match exactly one schema (oneOf)` });
  }
  return errors;
}

export function asSchema(value: unknown): SchemaProps | undefined {
  return isPlainObject(value) ? (value as SchemaProps) : undefined;
}

