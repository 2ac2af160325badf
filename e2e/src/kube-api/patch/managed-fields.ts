// Field ownership (metadata.managedFields) and server-side apply on top of it.
// Lists are owned atomically, as `x-kubernetes-list-type: atomic` fields are; that is enough for kubectl apply --server-side.
import { clone, deepEqual, isPlainObject, readPath, type KubeObject, type ManagedFieldsEntry, type JsonObject } from '../object.js';

type FieldPath = string[];

/** metadata fields owned like any other field; the rest of metadata belongs to the server. */
const ownedMetadata = new Set(['labels', 'annotations', 'finalizers', 'ownerReferences']);

/** The leaves of an object (scalars, lists and empty maps), as paths. */
export function leafPaths(object: unknown): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (value: unknown, path: FieldPath): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) {
        if (path.length === 0 && (key === 'apiVersion' || key === 'kind')) continue;
        if (path.length === 1 && path[0] === 'metadata' && !ownedMetadata.has(key)) continue;
        if (child !== undefined) walk(child, [...path, key]);
      }
    } else if (path.length > 0) paths.push(path);
  };
  walk(object, []);
  return paths;
}

const keyOf = (path: FieldPath): string => JSON.stringify(path);
const pathOf = (key: string): FieldPath => JSON.parse(key) as FieldPath;

export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const key of paths) {
    let node = root;
    for (const segment of pathOf(key)) {
      const next = (node[`f:${segment}`] ??= {}) as JsonObject;
      node = next;
    }
  }
  return root;
}

export function fromFieldsV1(fields: JsonObject): Set<string> {
  const paths = new Set<string>();
  const walk = (node: JsonObject, path: FieldPath): void => {
    const children = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (children.length === 0 && path.length > 0) paths.add(keyOf(path));
    for (const child of children) walk((node[child] ?? {}) as JsonObject, [...path, child.slice(2)]);
  };
  walk(fields, []);
  return paths;
}

function overlaps(a: string, b: string): boolean {
  const pa = pathOf(a);
  const pb = pathOf(b);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i += 1) if (pa[i] !== pb[i]) return false;
  return true;
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function owners(entries: ManagedFieldsEntry[] | undefined): Owner[] {
  return (entries ?? []).map((entry) => ({ entry, paths: fromFieldsV1(entry.fieldsV1) }));
}

function toEntries(list: Owner[]): ManagedFieldsEntry[] {
  return list.filter((o) => o.paths.size > 0).map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.paths) }));
}

export interface WriteContext {
  manager: string;
  apiVersion: string;
  time: string;
  subresource?: string;
}

function ownerFor(list: Owner[], context: WriteContext, operation: 'Apply' | 'Update'): Owner {
  const found = list.find((o) => o.entry.manager === context.manager && o.entry.operation === operation && o.entry.subresource === context.subresource);
  if (found) {
    found.entry = { ...found.entry, time: context.time, apiVersion: context.apiVersion };
    return found;
  }
  const entry: ManagedFieldsEntry = { manager: context.manager, operation, apiVersion: context.apiVersion, time: context.time, fieldsType: 'FieldsV1', fieldsV1: {} };
  if (context.subresource) entry.subresource = context.subresource;
  const owner = { entry, paths: new Set<string>() };
  list.push(owner);
  return owner;
}

/** The managedFields after a non-apply write: the writer owns what it changed, and nobody else does any more. */
export function recordUpdate(previous: KubeObject | undefined, next: KubeObject, context: WriteContext): ManagedFieldsEntry[] {
  const list = owners(next.metadata.managedFields ?? previous?.metadata.managedFields);
  const before = new Map(leafPaths(previous ?? {}).map((p) => [keyOf(p), readPath(previous, p)]));
  const after = new Map(leafPaths(next).map((p) => [keyOf(p), readPath(next, p)]));
  const changed = [...after.keys()].filter((k) => !before.has(k) || !deepEqual(before.get(k), after.get(k)));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  for (const owner of list) {
    for (const path of [...owner.paths]) {
      if (removed.some((k) => overlaps(k, path)) || changed.some((k) => overlaps(k, path))) owner.paths.delete(path);
    }
  }
  if (changed.length > 0) {
    const self = ownerFor(list, context, 'Update');
    for (const key of changed) self.paths.add(key);
  }
  return toEntries(list);
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

/** Thrown by `applyConfiguration` when fields are owned by another manager with another value and `force` is false. */
export class ApplyConflictError extends Error {
  constructor(readonly conflicts: ApplyConflict[], readonly apiVersion: string) {
    super(`Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}`);
  }
}

function deleteAt(object: Record<string, unknown>, path: FieldPath): void {
  const parent = readPath(object, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1] ?? ''];
}

function mergeInto(live: unknown, config: unknown): unknown {
  if (!isPlainObject(config) || !isPlainObject(live)) return clone(config);
  const result = clone(live);
  for (const [key, value] of Object.entries(config)) {
    if (value === null) delete result[key];
    else result[key] = mergeInto(result[key], value);
  }
  return result;
}

/**
 * Server-side apply of `config` by `context.manager` onto `live` (undefined when creating).
 * Returns the merged object with its new managedFields; fields this manager applied before and dropped now
 * are removed unless another manager owns them.
 */
export function applyConfiguration(live: KubeObject | undefined, config: KubeObject, context: WriteContext, force: boolean): KubeObject {
  const list = owners(live?.metadata.managedFields);
  const applied = new Set(leafPaths(config).map(keyOf));
  const conflicts: ApplyConflict[] = [];
  for (const owner of list) {
    if (owner.entry.manager === context.manager && owner.entry.operation === 'Apply') continue;
    for (const path of [...owner.paths]) {
      const clashing = [...applied].filter((k) => overlaps(k, path) && !deepEqual(readPath(live, pathOf(k)), readPath(config, pathOf(k))));
      if (clashing.length === 0) continue;
      if (force) owner.paths.delete(path);
      else conflicts.push({ manager: owner.entry.manager, field: `.${pathOf(path).join('.')}` });
    }
  }
  if (conflicts.length > 0) throw new ApplyConflictError(conflicts, context.apiVersion);

  const self = ownerFor(list, context, 'Apply');
  const merged = mergeInto(live ?? {}, config) as KubeObject;
  for (const path of self.paths) {
    if (applied.has(path)) continue;
    const ownedElsewhere = list.some((o) => o !== self && [...o.paths].some((p) => overlaps(p, path)));
    if (!ownedElsewhere) deleteAt(merged, pathOf(path));
  }
  self.paths = applied;
  merged.metadata = { ...(merged.metadata ?? {}), managedFields: toEntries(list) };
  return merged;
}
