// `requestHeaders` and `responseHeaders` (DESIGN §10 "Headers set by config", Gateway API header modifiers):
// names are tokens, unique ignoring case across set/add/remove; values hold no CR, LF or NUL; the headers the
// gateway owns can never be named, and the refusal names the field.
import { z } from 'zod';
import { headerName, headerValue } from '../schema-patterns.js';

/** Max names per set, add or remove. */
export const MAX_HEADER_EDITS = 64;

const PROTECTED_EXACT: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'x-request-id',
  // Marks a mirror copy (policies/mirror): config setting it would stop a route's requests from being mirrored.
  'x-novagate-mirror',
]);
const PROTECTED_PREFIXES = ['proxy-', 'x-forwarded-', 'x-consumer-', 'ratelimit-'] as const;

/** Why config may not name this header, or null. */
export function protectedHeaderProblem(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === 'host') return 'Host is set by the gateway (use rewrite.hostname or preserveHost)';
  if (PROTECTED_EXACT.has(lower) || lower === 'ratelimit') return `${name} is set by the gateway and cannot be changed by config`;
  for (const prefix of PROTECTED_PREFIXES) if (lower.startsWith(prefix)) return `${prefix}* headers are set by the gateway and cannot be changed by config`;
  return null;
}

// A parsed `__proto__` key would vanish from the record silently: refuse it by name instead.
const withoutProtoKey = (value: unknown, ctx: z.RefinementCtx): unknown => {
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'must be a header name (an HTTP token) other than __proto__' });
  }
  return value;
};

const headerRecord = z.record(z.string(), headerValue).superRefine((record, ctx) => {
  const names = Object.keys(record);
  if (names.length > MAX_HEADER_EDITS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_HEADER_EDITS} headers` });
  for (const name of names) {
    const parsed = headerName.safeParse(name);
    if (!parsed.success) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a header name (an HTTP token)' });
  }
});

const headerMap = z.preprocess(withoutProtoKey, headerRecord);

export const headerEditsSchema = z
  .strictObject({
    set: headerMap.optional(),
    add: headerMap.optional(),
    remove: z.array(headerName).max(MAX_HEADER_EDITS).optional(),
  })
  .superRefine((edits, ctx) => {
    const seen = new Map<string, string>();
    const check = (name: string, path: (string | number)[]) => {
      const problem = protectedHeaderProblem(name);
      if (problem !== null) ctx.addIssue({ code: 'custom', path, message: problem });
      const lower = name.toLowerCase();
      const earlier = seen.get(lower);
      if (earlier !== undefined) ctx.addIssue({ code: 'custom', path, message: `header '${name}' is already named in ${earlier} (names are unique ignoring case)` });
      else seen.set(lower, path.join('.'));
    };
    for (const name of Object.keys(edits.set ?? {})) check(name, ['set', name]);
    for (const name of Object.keys(edits.add ?? {})) check(name, ['add', name]);
    (edits.remove ?? []).forEach((name, index) => check(name, ['remove', index]));
  });

export type HeaderEditsConfig = z.infer<typeof headerEditsSchema>;
