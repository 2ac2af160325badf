// The part of Kubernetes JSONPath that printer columns use: `.a.b`, `[0]`, `[*]` and `[?(@.type=="Ready")]`.
import { isPlainObject } from './object.js';

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

function parse(expression: string): Step[] {
  const text = expression.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  const steps: Step[] = [];
  const pattern = /\.([\w-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([\w.-]+)\s*==\s*["']([^"']*)["']\)\]|\['([^']+)'\]/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[1] !== undefined) steps.push({ field: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else if (match[3] !== undefined) steps.push({ filter: { path: match[3].split('.'), value: match[4] ?? '' } });
    else if (match[5] !== undefined) steps.push({ field: match[5] });
    else steps.push({ all: true });
    if (pattern.lastIndex >= text.length) break;
  }
  return steps;
}

/** Every value the expression selects. */
export function evaluateJsonPath(object: unknown, expression: string): unknown[] {
  let current: unknown[] = [object];
  for (const step of parse(expression)) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('field' in step) {
        if (isPlainObject(value) && value[step.field] !== undefined) next.push(value[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if ('all' in step) {
        if (Array.isArray(value)) next.push(...value);
        else if (isPlainObject(value)) next.push(...Object.values(value));
      } else if (Array.isArray(value)) {
        for (const item of value) {
          let probe: unknown = item;
          for (const key of step.filter.path) probe = isPlainObject(probe) ? probe[key] : undefined;
          if (probe !== undefined && String(probe) === step.filter.value) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
