// CEL `x-kubernetes-validations` rules of a CRD schema, evaluated with @marcbachmann/cel-js.
// Covers the standard CEL library and macros (has, all, exists, size, matches, startsWith, …) and transition
// rules with oldSelf; the Kubernetes-specific CEL libraries (quantity, url, ip, cidr, format) are not available.
import { parse } from '@marcbachmann/cel-js';
import type { FieldError } from '../errors.js';
import { isPlainObject } from '../object.js';
import type { SchemaProps } from './schema.js';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  optionalOldSelf?: boolean;
}

// Rules are parsed on every evaluation: cheap at test scale, and no cache outlives a server.
function compile(expression: string): ReturnType<typeof parse> {
  return parse(expression);
}

/** JSON integers become CEL ints (BigInt), so `self.replicas <= 5` compares int with int. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

function describe(value: unknown): string {
  if (isPlainObject(value)) return '"object"';
  if (Array.isArray(value)) return '"array"';
  return JSON.stringify(value) ?? 'null';
}

function checkRules(value: unknown, oldValue: unknown, rules: ValidationRule[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const rule of rules) {
    const transition = /\boldSelf\b/.test(rule.rule);
    if (transition && oldValue === undefined && !rule.optionalOldSelf) continue;
    const variables = { self: toCel(value), oldSelf: toCel(oldValue) };
    const field = `${path === '' ? '<root>' : path}${rule.fieldPath ?? ''}`;
    let passed: unknown;
    try {
      passed = compile(rule.rule)(variables);
    } catch (error) {
      errors.push({ type: 'FieldValueInvalid', field, detail: `${describe(value)}: rule ${JSON.stringify(rule.rule)} could not be evaluated: ${(error as Error).message}` });
      continue;
    }
    if (passed === true) continue;
    let message = rule.message ?? `failed rule: ${rule.rule}`;
    if (rule.messageExpression) {
      try {
        const computed = compile(rule.messageExpression)(variables);
        if (typeof computed === 'string' && computed !== '') message = computed;
      } catch {
        // the static message (or the rule) stands in, as the real server does
      }
    }
    const type = rule.reason ?? 'FieldValueInvalid';
    errors.push({ type, field, detail: type === 'FieldValueInvalid' ? `${describe(value)}: ${message}` : message });
  }
  return errors;
}

/** Every x-kubernetes-validations rule in the schema, checked against the value (and the stored value for oldSelf). */
export function validateRules(value: unknown, oldValue: unknown, schema: SchemaProps | undefined, path = ''): FieldError[] {
  if (!schema || value === undefined || value === null) return [];
  const errors: FieldError[] = [];
  const rules = (schema as { 'x-kubernetes-validations'?: ValidationRule[] })['x-kubernetes-validations'];
  if (rules && rules.length > 0) errors.push(...checkRules(value, oldValue, rules, path));
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => errors.push(...validateRules(item, undefined, schema.items, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (path === '' && key === 'metadata') continue;
      const sub = schema.properties?.[key] ?? (isPlainObject(schema.additionalProperties) ? (schema.additionalProperties as SchemaProps) : undefined);
      const oldChild = isPlainObject(oldValue) ? oldValue[key] : undefined;
      errors.push(...validateRules(child, oldChild, sub, path === '' ? key : `${path}.${key}`));
    }
  }
  return errors;
}
