// `backends` on a route (DESIGN §10, Gateway API's weighted backendRefs): the route's traffic split over several
// services by weight. An entry with `invalid: true` stands for a reference that did not resolve (Gateway API
// answers 500 for its share); weight 0 takes no traffic.
import { z } from 'zod';
import { serviceName } from '../schema-patterns.js';
import { headerEditsSchema } from '../request-headers/schema.js';

/** At most this many backends per route (Gateway API allows 16 backendRefs per rule). */
export const MAX_BACKENDS = 16;
/** The largest weight (Gateway API's bound). */
export const MAX_BACKEND_WEIGHT = 1_000_000;

export const backendSchema = z
  .strictObject({
    service: serviceName.optional(),
    // Set only on an entry that stands for an unresolved reference; `false` is left out.
    invalid: z
      .boolean()
      .optional()
      .overwrite((value) => (value === true ? true : undefined)),
    weight: z.int().min(0).max(MAX_BACKEND_WEIGHT).default(1),
    // Edits for requests sent to this backend, after the route's own (Gateway API per-backend filters).
    requestHeaders: headerEditsSchema.optional(),
    responseHeaders: headerEditsSchema.optional(),
  })
  .superRefine((backend, ctx) => {
    if ((backend.service === undefined) === (backend.invalid === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['service'], message: 'a backend needs exactly one of service and invalid: true' });
    }
    if (backend.invalid === true && (backend.requestHeaders !== undefined || backend.responseHeaders !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['invalid'], message: 'an invalid backend answers 500 and takes no header edits' });
    }
  });

export const backendsSchema = z.array(backendSchema).min(1).max(MAX_BACKENDS, { message: `at most ${MAX_BACKENDS} backends per route` });

export type BackendConfig = z.infer<typeof backendSchema>;
