// `mirrors` on a route (DESIGN §10, Gateway API's RequestMirror filter): a copy of each request, or of
// `percent` of them, goes to another service, fire and forget.
import { z } from 'zod';
import { serviceName } from '../schema-patterns.js';

/** DESIGN §10: at most 4 mirrors per route. */
export const MAX_MIRRORS = 4;

export const mirrorSchema = z.strictObject({
  service: serviceName,
  // The share of requests copied, with at most 2 decimals; absent: every request.
  percent: z
    .number()
    .min(0)
    .max(100)
    .refine((value) => Math.abs(Math.round(value * 100) - value * 100) < 1e-9, { message: 'must have at most 2 decimals' })
    .optional(),
});

export const mirrorsSchema = z.array(mirrorSchema).min(1).max(MAX_MIRRORS, { message: `at most ${MAX_MIRRORS} mirrors per route` });

export type MirrorConfig = z.infer<typeof mirrorSchema>;
