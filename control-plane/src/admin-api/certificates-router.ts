// /tenants/:tenantId/certificates: pushed TLS certificates (issue 15, DESIGN §10 "Private keys"). Shows the chain,
// names, leaf fingerprint, expiry and the key's SHA-256; never the key once it is written. A CA bundle has no `key`.
import type { FastifyInstance } from 'fastify';
import { ApiError, parseOrThrow } from '../http/errors.js';
import {
  createCertificate,
  deleteCertificate,
  getCertificate,
  listCertificates,
  updateCertificate,
  type CertificateRow,
} from '../tenancy/certificates.js';
import type { SecretBox } from '../tenancy/secret-box.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { certificateInputSchema } from './certificate-input.js';
import { parseEntityRef } from './entity-ref.js';

export function presentCertificate(row: CertificateRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    names: row.names,
    chain: row.chain,
    fingerprintSha256: row.fingerprint_sha256,
    notBefore: row.not_before,
    notAfter: row.not_after,
    ...(row.key_sha256 === null ? {} : { key: { sha256: row.key_sha256 } }),
    managedBy: row.managed_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function registerCertificateRoutes(app: FastifyInstance, db: TenantDb, box: SecretBox | undefined, now: () => Date): void {
  app.get('', async (request) => ({ data: (await listCertificates(db, request.tenantId)).map(presentCertificate) }));

  app.post('', async (request, reply) => {
    const input = parseOrThrow(certificateInputSchema, request.body);
    if (input.key !== undefined && typeof input.key !== 'string') {
      const message = 'a new certificate needs its key as PEM (or no key, for a CA bundle)';
      throw new ApiError(400, 'validation_failed', `key: ${message}`, [{ path: 'key', message }]);
    }
    // Without SECRETS_ENCRYPTION_KEY only a CA bundle can be stored (CertificatesDisabledError is a 503).
    const row = await createCertificate(db, request.tenantId, input, box, now());
    return reply.code(201).send(presentCertificate(row));
  });

  app.get<{ Params: { id: string } }>('/:id', async (request) => presentCertificate(await getCertificate(db, request.tenantId, parseEntityRef(request.params.id, 'id'))));

  app.put<{ Params: { id: string } }>('/:id', async (request) => {
    const ref = parseEntityRef(request.params.id, 'id');
    const input = parseOrThrow(certificateInputSchema, request.body);
    return presentCertificate(await updateCertificate(db, request.tenantId, ref, input, box, now()));
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    await deleteCertificate(db, request.tenantId, parseEntityRef(request.params.id, 'id'));
    return reply.code(204).send();
  });
}
