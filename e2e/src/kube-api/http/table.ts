// Server-side printing: lists and objects as meta.k8s.io/v1 Tables, the way `kubectl get` asks for them.
import { evaluateJsonPath } from '../jsonpath.js';
import { isPlainObject, type JsonObject, type KubeObject } from '../object.js';
import type { PrinterColumn, ResourceType } from '../resource-types.js';

/** Kubernetes' short human durations: 45s, 3m12s, 25m, 5h3m, 2d. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function columnsOf(type: ResourceType): PrinterColumn[] {
  if (type.crdName !== undefined && type.printerColumns.length === 0) return [ageColumn];
  return type.printerColumns;
}

function cell(object: KubeObject, column: PrinterColumn, now: Date): unknown {
  const values = evaluateJsonPath(object, column.jsonPath);
  const value = values[0];
  if (value === undefined || value === null) return column.type === 'integer' || column.type === 'number' ? null : '<none>';
  if (column.type === 'date') return typeof value === 'string' ? humanDuration((now.getTime() - Date.parse(value)) / 1000) : '<invalid>';
  if (column.type === 'integer' && isPlainObject(value)) return Object.keys(value).length;
  if (values.length > 1) return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
  return typeof value === 'object' ? JSON.stringify(value) : value;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(type: ResourceType, objects: KubeObject[], resourceVersion: string, includeObject: IncludeObject, now: Date, continueToken?: string): JsonObject {
  const columns = columnsOf(type);
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...columns.map((c) => ({ name: c.name, type: c.type === 'date' ? 'string' : c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((object) => {
    const row: JsonObject = { cells: [object.metadata.name ?? '', ...columns.map((c) => cell(object, c, now))] as JsonObject[] };
    if (includeObject === 'Object') row.object = object as unknown as JsonObject;
    if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } as unknown as JsonObject;
    return row;
  });
  const metadata: JsonObject = { resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}
