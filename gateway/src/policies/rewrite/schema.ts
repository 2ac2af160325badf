// `rewrite` and `preserveHost` on a route (DESIGN §10, Gateway API's URLRewrite filter).
import { z } from 'zod';
import { hostname, pathModifierSchema } from '../schema-patterns.js';

export const rewriteSchema = z
  .strictObject({ hostname: hostname.optional(), path: pathModifierSchema.optional() })
  .refine((rewrite) => rewrite.hostname !== undefined || rewrite.path !== undefined, { message: 'needs hostname, path or both' });

/** `true` sends the client's Host upstream; `false` is left out of the parsed config (DESIGN §10 Compatibility). */
export const preserveHostSchema = z
  .boolean()
  .optional()
  .overwrite((value) => (value === true ? true : undefined));

export type RewriteConfig = z.infer<typeof rewriteSchema>;
