// Gateway API's path modifier, shared by rewrite and redirect: replaceFullPath, or replacePrefixMatch, which
// replaces the prefix the route matched and keeps the rest (`/v1/*` + `/v1/users` with `/v2` → `/v2/users`).
import type { PathModifier } from './schema-patterns.js';

/** `rest` is the request path past the matched prefix, starting with '/' (router's strippedPath). */
export function modifiedPath(modifier: PathModifier, path: string, rest: string): string {
  if (modifier.replaceFullPath !== undefined) return modifier.replaceFullPath;
  const prefix = modifier.replacePrefixMatch;
  if (prefix === undefined) return path;
  if (rest === '/') return path.endsWith('/') && prefix !== '/' && !prefix.endsWith('/') ? `${prefix}/` : prefix;
  return prefix.endsWith('/') ? `${prefix}${rest.slice(1)}` : `${prefix}${rest}`;
}
