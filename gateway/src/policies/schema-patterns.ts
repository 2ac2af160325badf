// Small patterns the policies' schema fragments share (they never import config/schema.ts, which imports them).
import { z } from 'zod';

/** An RFC 9110 token: a header name. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** What node (and RFC 9110) accept in a header value: tab, visible ASCII, obs-text; never CR, LF or NUL. */
export const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A hostname (lower case, no port). */
export const HOSTNAME_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Every name in the config (services, routes, consumers, groups, JWT providers …): 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit. */
export const ENTITY_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;

export const headerName = z.string().regex(HEADER_NAME_PATTERN, { message: 'must be a header name (an HTTP token)' });
export const headerValue = z
  .string()
  .max(4096)
  .regex(HEADER_VALUE_PATTERN, { message: 'must not contain CR, LF, NUL or other control characters' });
/** A service named by a route's backends or mirrors (an entity name). */
export const serviceName = z.string().regex(ENTITY_NAME_PATTERN, {
  message: "service name must be 1-128 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
});
export const hostname = z.string().regex(HOSTNAME_PATTERN, { message: 'must be a lower-case hostname without port' });

/** A path a config writes for rewrites and redirects: origin-form, printable ASCII, no query or fragment. */
export const replacementPath = z
  .string()
  .max(1024)
  .regex(/^\/[\x21-\x7e]*$/, { message: "must start with '/' and hold only printable ASCII" })
  .refine((value) => !value.includes('?') && !value.includes('#'), { message: 'must not hold a query or fragment' })
  .refine((value) => !value.startsWith('//'), { message: "must not start with '//'" })
  .refine((value) => !value.split('/').some((segment) => segment === '.' || segment === '..'), { message: "must not contain '.' or '..' segments" });

/** Gateway API's path modifier: exactly one of replaceFullPath and replacePrefixMatch. */
export const pathModifierSchema = z
  .strictObject({ replaceFullPath: replacementPath.optional(), replacePrefixMatch: replacementPath.optional() })
  .refine((path) => (path.replaceFullPath === undefined) !== (path.replacePrefixMatch === undefined), {
    message: 'needs exactly one of replaceFullPath and replacePrefixMatch',
  });

export type PathModifier = z.infer<typeof pathModifierSchema>;

/** Whether every path of a route matches by prefix (`/v1/*`, `/`-less forms, or `{type: PathPrefix}`). */
export function allPathsArePrefixes(paths: readonly unknown[]): boolean {
  return paths.every((path) => {
    if (typeof path === 'string') return path.endsWith('/*');
    return typeof path === 'object' && path !== null && (path as { type?: unknown }).type === 'PathPrefix';
  });
}
