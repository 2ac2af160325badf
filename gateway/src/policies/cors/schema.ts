// `cors` on a route (DESIGN §10, Gateway API's CORS filter).
import { z } from 'zod';
import { HEADER_NAME_PATTERN } from '../schema-patterns.js';

/** `*`, `null`, or `http(s)://host[:port]` where host may start with one `*.` label. */
export const CORS_ORIGIN_PATTERN =
  /^(?:\*|null|https?:\/\/(?:\*\.)?(?=[a-z0-9.-]{1,253}(?::|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?)$/;
const METHOD_PATTERN = /^[A-Z][A-Z0-9_-]{0,31}$/;
export const MAX_CORS_ENTRIES = 64;

const origin = z.string().max(300).regex(CORS_ORIGIN_PATTERN, {
  message: "must be '*', 'null' or a lower-case origin such as https://app.example.com or https://*.example.com (scheme, host, optional port; no path)",
});
const method = z.string().refine((value) => value === '*' || METHOD_PATTERN.test(value), { message: "must be an upper-case method name or '*'" });
const header = z.string().refine((value) => value === '*' || HEADER_NAME_PATTERN.test(value), { message: "must be a header name or '*'" });

export const corsSchema = z
  .strictObject({
    allowOrigins: z.array(origin).min(1).max(MAX_CORS_ENTRIES),
    allowMethods: z.array(method).max(MAX_CORS_ENTRIES).optional(),
    allowHeaders: z.array(header).max(MAX_CORS_ENTRIES).optional(),
    exposeHeaders: z.array(header).max(MAX_CORS_ENTRIES).optional(),
    allowCredentials: z.boolean().optional(),
    maxAgeSeconds: z.int().min(0).max(86_400).default(5),
  })
  .superRefine((cors, ctx) => {
    // A browser reads `Access-Control-Expose-Headers: *` literally on a credentialed response (Fetch standard).
    if (cors.allowCredentials === true && cors.exposeHeaders?.includes('*') === true) {
      ctx.addIssue({ code: 'custom', path: ['exposeHeaders'], message: "'*' cannot be used with allowCredentials: name the headers" });
    }
  });

export type CorsConfig = z.infer<typeof corsSchema>;
