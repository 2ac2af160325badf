// Request path normalisation of DESIGN §4: refuse targets that are not origin-form, decode unreserved escapes,
// resolve dot segments, collapse `//`, refuse encoded separators and paths that climb above the root. The
// result is what routes match and what the upstream receives.

export type NormalizedPath = { ok: true; path: string; query: string } | { ok: false; reason: string };

const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ||
    code === 45 || code === 46 || code === 95 || code === 126
  );
}

/** Decodes %XX of unreserved characters, upper-cases the other escapes; null for a malformed escape or an encoded separator. */
export function decodeUnreserved(raw: string): string | null | 'separator' {
  if (!raw.includes('%')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch !== 37) {
      out += raw[i];
      continue;
    }
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return null;
    const value = hi * 16 + lo;
    if (value === 0x2f || value === 0x5c) return 'separator';
    if (isUnreserved(value)) out += String.fromCharCode(value);
    else out += `%${HEX[hi]}${HEX[lo]}`;
    i += 2;
  }
  return out;
}

/** Anything but printable ASCII without `#`: controls, space, DEL, non-ASCII, and a fragment (the client's own). */
const NOT_IN_ORIGIN_FORM = /[^\x21\x22\x24-\x7e]/;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Why `target` is not an origin-form request target (RFC 9112 §3.2.1: an absolute path and an optional query),
 * or null. A target an upstream could read differently from the router (`/secure#x` is `/secure` to most servers)
 * must never be routed. `OPTIONS *` is the caller's to answer.
 */
export function requestTargetProblem(target: string): string | null {
  if (target.charCodeAt(0) !== 47) {
    if (target === '*') return 'asterisk-form request target is only allowed with OPTIONS';
    if (ABSOLUTE_FORM.test(target)) return 'absolute-form request target is not accepted; send the path only';
    return 'request target must be an absolute path';
  }
  const bad = NOT_IN_ORIGIN_FORM.exec(target);
  if (bad === null) return null;
  return bad[0] === '#' ? 'fragment (#) in request target' : 'control character, space or non-ASCII byte in request target';
}

/**
 * Normalises a request target (`/a/./b/../c?x=1`). Fast path: a path with no `%`, `.` segment, `//` or
 * `\` is returned as it is.
 */
export function normalizeRequestTarget(target: string): NormalizedPath {
  const problem = requestTargetProblem(target);
  if (problem !== null) return { ok: false, reason: problem };
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  if (rawPath.includes('\\')) return { ok: false, reason: 'backslash in path' };
  const decoded = decodeUnreserved(rawPath);
  if (decoded === null) return { ok: false, reason: 'malformed percent-escape in path' };
  if (decoded === 'separator') return { ok: false, reason: 'encoded / or \\ in path' };
  if (!decoded.includes('//') && !decoded.includes('/.')) return { ok: true, path: decoded, query };
  const input = decoded.split('/');
  const output: string[] = [];
  const last = input.length - 1;
  for (let i = 1; i <= last; i++) {
    const segment = input[i] as string;
    if (segment === '.' || segment === '') {
      if (i === last) output.push('');
      continue;
    }
    if (segment === '..') {
      if (output.length === 0) return { ok: false, reason: 'path climbs above the root' };
      output.pop();
      if (i === last) output.push('');
      continue;
    }
    output.push(segment);
  }
  return { ok: true, path: `/${output.join('/')}`, query };
}
