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

const putConfigBody = z.strictObject({
  version: z.int().min(0).optional(),
  config: z.unknown(),
});

export function registerConfigRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache): void {
  app.get('', async (request) => {
    const latest = await currentConfig(db, request.tenantId);
    return { version: latest.version, hash: latest.hash, config: latest.config };
  });

  app.put('', { bodyLimit: CONFIG_BODY_LIMIT }, async (request) => {
    const tenantId = request.tenantId;
    const parsedBody = putConfigBody.safeParse(request.body);
    if (!parsedBody.success) throw validationFailed(problemsFromZodError(parsedBody.error));
    if (parsedBody.data.config === undefined) throw validationFailed([{ path: 'config', message: 'is required' }]);
    const parsedConfig = gatewayConfigSchema.safeParse(parsedBody.data.config);
    if (!parsedConfig.success) throw validationFailed(problemsFromZodError(parsedConfig.error, ['config']), 'config is invalid');
    const result = await replaceApiConfig(db, tenantId, parsedConfig.data, parsedBody.data.version).finally(() => listCache.invalidate(tenantId));
    return { version: result.version, hash: result.hash };
  });
}
