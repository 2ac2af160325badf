// Label and field selectors: parsing the query strings and matching objects against them.
import { badRequest } from './errors.js';
import { readPath, type KubeObject } from './object.js';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = Requirement[];

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += char;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    let match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (match) {
      const values = (match[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      return { key: match[1] ?? '', op: match[2] as 'in' | 'notin', values };
    }
    match = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (match) return { key: match[1] ?? '', op: match[2] === '!=' ? 'notin' : 'in', values: [match[3] ?? ''] };
    match = /^([\w./-]+)\s*(>|<)\s*(\d+)$/.exec(term);
    if (match) return { key: match[1] ?? '', op: match[2] === '>' ? 'gt' : 'lt', value: Number(match[3]) };
    match = /^(!?)([\w./-]+)$/.exec(term);
    if (match) return { key: match[2] ?? '', op: match[1] === '!' ? 'doesnotexist' : 'exists' };
    throw badRequest(`unable to parse requirement: invalid label selector "${term}"`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((req) => {
    const value = labels?.[req.key];
    switch (req.op) {
      case 'in':
        return value !== undefined && req.values.includes(value);
      case 'notin':
        return value === undefined || !req.values.includes(value);
      case 'exists':
        return value !== undefined;
      case 'doesnotexist':
        return value === undefined;
      case 'gt':
        return value !== undefined && Number(value) > req.value;
      case 'lt':
        return value !== undefined && Number(value) < req.value;
    }
  });
}

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

export type FieldSelector = FieldRequirement[];

/** Parses `metadata.name=x,type!=y`; fields outside `allowed` (plus metadata.name/namespace) are a 400, as the real server answers. */
export function parseFieldSelector(text: string | null | undefined, allowed: readonly string[], kind: string): FieldSelector {
  if (!text) return [];
  return splitTerms(text).map((term) => {
    const match = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: '${term}'`);
    const field = match[1] ?? '';
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !allowed.includes(field)) {
      throw badRequest(`field label not supported: ${field} (for ${kind})`);
    }
    return { field, equal: match[2] !== '!=', value: match[3] ?? '' };
  });
}

function fieldValue(object: KubeObject, field: string): string {
  const value = field === 'source' ? readPath(object, ['source', 'component']) : readPath(object, field.split('.'));
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function matchesFields(selector: FieldSelector, object: KubeObject): boolean {
  return selector.every((req) => (fieldValue(object, req.field) === req.value) === req.equal);
}
