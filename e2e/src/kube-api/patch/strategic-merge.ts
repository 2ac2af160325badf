// Strategic merge patch as far as kubectl needs it: merge patch plus merge-by-key lists and the `$` directives.
import { clone, isPlainObject } from '../object.js';

/**
 * Lists merged element by element instead of replaced, with their merge key ('' for lists of scalars).
 * These are the patch strategies of the fields the served kinds have; custom resources get plain merge patch.
 */
const mergeLists: Record<string, string> = {
  'metadata.finalizers': '',
  'metadata.ownerReferences': 'uid',
  'status.conditions': 'type',
  'spec.template.spec.containers': 'name',
  'spec.template.spec.volumes': 'name',
  'spec.template.spec.containers.env': 'name',
  'spec.template.spec.containers.ports': 'containerPort',
  'spec.ports': 'port',
  secrets: 'name',
  imagePullSecrets: 'name',
};

function mergeList(path: string, target: unknown[], patch: unknown[], key: string): unknown[] {
  const result = clone(target);
  if (key === '') {
    for (const item of patch) if (!result.includes(item)) result.push(item);
    return result;
  }
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const index = result.findIndex((existing) => isPlainObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = mergeAt(path, result[index], item);
    else result.push(mergeAt(path, undefined, item));
  }
  return result;
}

function mergeAt(path: string, target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const replaced = clone(patch);
    delete replaced.$patch;
    return replaced;
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isPlainObject(target) ? clone(target) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as unknown[]) : undefined;
  if (retainKeys) for (const key of Object.keys(result)) if (!retainKeys.includes(key) && !(key in patch)) delete result[key];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$retainKeys' || key === '$patch' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((item) => !value.includes(item));
      continue;
    }
    const childPath = path === '' ? key : `${path}.${key}`;
    if (value === null) {
      delete result[key];
      continue;
    }
    const listKey = mergeLists[childPath] ?? mergeLists[key];
    if (listKey !== undefined && Array.isArray(value)) {
      result[key] = mergeList(childPath, Array.isArray(result[key]) ? (result[key] as unknown[]) : [], value, listKey);
      continue;
    }
    const merged = mergeAt(childPath, result[key], value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  return result;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergeAt('', target, patch);
}
