// The admin API's input form of a pushed certificate (DESIGN §10 `certificates: [{name, cert, key}]`): the key as
// PEM, `{sha256}` of the stored key to keep it (a form only the control plane knows, so the gateway's
// `certificateSchema` cannot parse it), or no key at all for a CA bundle (keyless, for caCertificate only). The
// bounds are the gateway schema's; tenancy/certificate-pem.ts then checks what the gateway checks (parse, key
// matches) and what only the control plane can (expiry, chain order).
import { ENTITY_NAME_PATTERN } from '@novagate/gateway/config';
import { z } from 'zod';
import { MAX_CERT_PEM_BYTES, MAX_KEY_PEM_BYTES } from '../tenancy/certificate-pem.js';
import { MAX_CERTIFICATES_PER_TENANT, type CertificateInput } from '../tenancy/certificates.js';
import { isUuidShaped, UUID_SHAPED_NAME_MESSAGE } from '../tenancy/entity-ref.js';
import { isOperatorName, RESERVED_NAME_MESSAGE } from '../tenancy/entities.js';

const name = z
  .string()
  .regex(ENTITY_NAME_PATTERN, {
    message: "certificate name must be 1-128 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
  })
  .refine((value) => !isOperatorName(value), { message: RESERVED_NAME_MESSAGE })
  .refine((value) => !isUuidShaped(value), { message: UUID_SHAPED_NAME_MESSAGE });

// Lengths bound the characters zod sees; certificate-pem.ts bounds the bytes.
export const certificateInputSchema: z.ZodType<CertificateInput> = z.strictObject({
  name,
  cert: z.string().min(1, { message: 'is required' }).max(MAX_CERT_PEM_BYTES, { message: `must be at most ${MAX_CERT_PEM_BYTES} bytes` }),
  // Absent: a CA bundle (keyless), for services[].tls.caCertificate only.
  key: z
    .union([
      z.string().min(1, { message: 'must not be empty (leave key out for a CA bundle)' }).max(MAX_KEY_PEM_BYTES, { message: `must be at most ${MAX_KEY_PEM_BYTES} bytes` }),
      z.strictObject({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex digits' }) }),
    ])
    .optional(),
});

/** A config's `certificates`: as many as a tenant may store, names unique. */
export const certificateListSchema = z
  .array(certificateInputSchema)
  .max(MAX_CERTIFICATES_PER_TENANT)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((certificate, index) => {
      if (seen.has(certificate.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate certificate name '${certificate.name}'` });
      seen.add(certificate.name);
    });
  });
