// JSON patch (RFC 6902): add, remove, replace, move, copy and test operations on JSON pointers.
import { clone, deepEqual, isPlainObject } from '../object.js';

/** A patch that cannot be applied; the API answers it with 422. */
export class JsonPatchError extends Error {}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, tokens: string[], pointer: string): { parent: unknown; last: string } {
  let parent = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(parent)) parent = parent[Number(token)];
    else if (isPlainObject(parent)) parent = parent[token];
    else parent = undefined;
    if (parent === undefined) throw new JsonPatchError(`path "${pointer}" does not exist`);
  }
  return { parent, last: tokens[tokens.length - 1] ?? '' };
}

function get(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return document;
  const { parent, last } = parentOf(document, tokens, pointer);
  const value = Array.isArray(parent) ? parent[Number(last)] : isPlainObject(parent) ? parent[last] : undefined;
  if (value === undefined) throw new JsonPatchError(`path "${pointer}" does not exist`);
  return value;
}

function arrayIndex(array: unknown[], token: string, pointer: string, forInsert: boolean): number {
  if (forInsert && token === '-') return array.length;
  const index = Number(token);
  const max = forInsert ? array.length : array.length - 1;
  if (!/^\d+$/.test(token) || index > max) throw new JsonPatchError(`array index out of range at "${pointer}"`);
  return index;
}

function add(document: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(document, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, true), 0, value);
  else if (isPlainObject(parent)) parent[last] = value;
  else throw new JsonPatchError(`path "${pointer}" does not exist`);
  return document;
}

function remove(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const { parent, last } = parentOf(document, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, false), 1);
  else if (isPlainObject(parent) && last in parent) delete parent[last];
  else throw new JsonPatchError(`path "${pointer}" does not exist`);
  return document;
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new JsonPatchError('a JSON patch must be an array of operations');
  let document = clone(target);
  for (const raw of patch as Operation[]) {
    if (!isPlainObject(raw) || typeof raw.path !== 'string') throw new JsonPatchError('every operation needs "op" and "path"');
    switch (raw.op) {
      case 'add':
        document = add(document, raw.path, clone(raw.value));
        break;
      case 'remove':
        document = remove(document, raw.path);
        break;
      case 'replace':
        get(document, raw.path);
        document = add(remove(document, raw.path), raw.path, clone(raw.value));
        break;
      case 'move': {
        const value = get(document, raw.from ?? '');
        document = add(remove(document, raw.from ?? ''), raw.path, value);
        break;
      }
      case 'copy':
        document = add(document, raw.path, clone(get(document, raw.from ?? '')));
        break;
      case 'test':
        if (!deepEqual(get(document, raw.path), raw.value)) throw new JsonPatchError(`testing value at "${raw.path}" failed`);
        break;
      default:
        throw new JsonPatchError(`unknown operation "${String(raw.op)}"`);
    }
  }
  return document;
}
