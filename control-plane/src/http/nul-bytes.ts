// NUL characters (U+0000) in request input. PostgreSQL's text and jsonb cannot hold them, so one reaching a
// query fails with a 500; every parsed JSON body and query string is checked here once, before any handler,
// and refused with the path of the first string (value or key) that holds one.
import { formatIssuePath } from '@novagate/gateway/config';

const NUL = '\u0000';

interface Visit {
  value: unknown;
  key: PropertyKey | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit, last?: PropertyKey): string {
  const keys: PropertyKey[] = last === undefined ? [] : [last];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return formatIssuePath(keys.reverse());
}

/** The path (`routes[0].paths[1]`) of the first string in `value` holding U+0000, or null when there is none. */
export function firstNulPath(value: unknown): string | null {
  // Iterative with parent links, so a deeply nested body costs neither stack nor a path copy per level.
  const pending: Visit[] = [{ value, key: undefined, parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return pathOf(visit);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], key: i, parent: visit });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      // A key with NUL is named with the character escaped, so the answer itself stays printable.
      const badKey = entries.find(([key]) => key.includes(NUL))?.[0];
      if (badKey !== undefined) return pathOf(visit, badKey.replaceAll(NUL, '\\u0000'));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        pending.push({ value: child, key, parent: visit });
      }
    }
  }
  return null;
}

export const NUL_MESSAGE = 'must not contain NUL characters (U+0000)';
