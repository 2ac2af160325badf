// `redirect` on a route (DESIGN §10, Gateway API's RequestRedirect filter).
import { z } from 'zod';
import { hostname, pathModifierSchema } from '../schema-patterns.js';

export const REDIRECT_STATUS_CODES = [301, 302, 303, 307, 308] as const;

export const redirectSchema = z.strictObject({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: hostname.optional(),
  port: z.int().min(1).max(65535).optional(),
  path: pathModifierSchema.optional(),
  statusCode: z
    .union(REDIRECT_STATUS_CODES.map((code) => z.literal(code)) as unknown as [z.ZodLiteral<301>, z.ZodLiteral<302>, z.ZodLiteral<303>, z.ZodLiteral<307>, z.ZodLiteral<308>])
    .optional(),
});

export type RedirectConfig = z.infer<typeof redirectSchema>;
