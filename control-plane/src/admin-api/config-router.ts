// /tenants/:tenantId/config: read the newest config version, or replace the tenant's API-managed services,
// routes and consumers with a whole declarative config in one transaction (DESIGN §3; tenancy/tenant-config.ts).
import type { FastifyInstance } from 'fastify';
import { gatewayConfigSchema, problemsFromZodError } from '@novagate/gateway/config';
import { z } from 'zod';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { currentConfig, replaceApiConfig } from '../tenancy/tenant-config.js';
import { validationFailed } from '../http/errors.js';
import type { ListCache } from './list-cache.js';
import { CONFIG_BODY_LIMIT } from '../http/limits.js';
import type { SecretBox } from '../tenancy/secret-box.js';
import { certificateListSchema } from './certificate-input.js';

const putConfigBody = z.strictObject({
  version: z.int().min(0).optional(),
  config: z.unknown(),
});

/**
 * Splits `certificates` off a config body: the gateway schema takes the rest, the control plane's certificate
 * schema takes them (a key may be `{sha256}`, which only the control plane understands).
 */
function splitCertificates(config: unknown): { rest: unknown; certificates: unknown } {
  if (config === null || typeof config !== 'object' || Array.isArray(config) || !('certificates' in config)) return { rest: config, certificates: [] };
  const { certificates, ...rest } = config as Record<string, unknown>;
  return { rest, certificates };
}

export function registerConfigRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache, box: SecretBox | undefined, now: () => Date): void {
  app.get('', async (request) => {
    const latest = await currentConfig(db, request.tenantId);
    return { version: latest.version, hash: latest.hash, config: latest.config };
  });

  app.put('', { bodyLimit: CONFIG_BODY_LIMIT }, async (request) => {
    const tenantId = request.tenantId;
    const parsedBody = putConfigBody.safeParse(request.body);
    if (!parsedBody.success) throw validationFailed(problemsFromZodError(parsedBody.error));
    if (parsedBody.data.config === undefined) throw validationFailed([{ path: 'config', message: 'is required' }]);
    const { rest, certificates } = splitCertificates(parsedBody.data.config);
    const parsedConfig = gatewayConfigSchema.safeParse(rest);
    const parsedCertificates = certificateListSchema.safeParse(certificates);
    const problems = [
      ...(parsedConfig.success ? [] : problemsFromZodError(parsedConfig.error, ['config'])),
      ...(parsedCertificates.success ? [] : problemsFromZodError(parsedCertificates.error, ['config', 'certificates'])),
    ];
    if (!parsedConfig.success || !parsedCertificates.success) throw validationFailed(problems, 'config is invalid');
    const result = await replaceApiConfig(db, tenantId, parsedConfig.data, parsedBody.data.version, {
      certificates: parsedCertificates.data,
      box,
      now: now(),
    }).finally(() => listCache.invalidate(tenantId));
    return { version: result.version, hash: result.hash };
  });
}
