// /tenants/:tenantId/config/versions and /config/diff: the config history (issue 19) — versions newest first with a
// cursor, one version's snapshot, the diff between two versions, and rollback to a version (tenancy/config-history.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../http/errors.js';
import { configVersionSnapshot, diffConfigVersions, listConfigVersions, MAX_HISTORY_PAGE, rollbackConfig } from '../tenancy/config-history.js';
import type { SecretBox } from '../tenancy/secret-box.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import type { ListCache } from './list-cache.js';

const CURSOR_PREFIX = 'before:';
const VERSION_TEXT = /^[1-9][0-9]{0,14}$/;

/** The opaque cursor of the page after the one ending at `version` (base64url, so clients do not build it). */
export function historyCursor(version: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${version}`).toString('base64url');
}

/** The version a cursor continues before, or null when it is not one this API made. */
export function versionOfCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || !VERSION_TEXT.test(text.slice(CURSOR_PREFIX.length))) return null;
  return Number(text.slice(CURSOR_PREFIX.length));
}

const versionNumber = z.string().regex(VERSION_TEXT, { message: 'must be a config version number (a positive integer)' }).transform(Number);

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(20),
  cursor: z.string().max(100).optional(),
});
const diffQuery = z.strictObject({ from: versionNumber, to: versionNumber });
const versionParams = z.object({ version: versionNumber });
const rollbackBody = z.strictObject({
  /** The version the client saw as the newest: the precondition every config write takes (DESIGN §3). */
  version: z.int().min(0),
});

export function registerConfigHistoryRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache, box: SecretBox | undefined, now: () => Date): void {
  app.get('/versions', async (request) => {
    const query = parseOrThrow(listQuery, request.query, 'query is invalid');
    const before = query.cursor === undefined ? undefined : versionOfCursor(query.cursor);
    if (before === null) throw new ApiError(400, 'validation_failed', 'query is invalid: cursor is not one this API returned', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
    const page = await listConfigVersions(db, request.tenantId, { before, limit: query.limit });
    return { data: page.versions, nextCursor: page.nextBefore === null ? null : historyCursor(page.nextBefore) };
  });

  app.get('/versions/:version', async (request) => {
    const { version } = parseOrThrow(versionParams, request.params, 'path is invalid');
    return configVersionSnapshot(db, request.tenantId, version);
  });

  app.get('/diff', async (request) => {
    const query = parseOrThrow(diffQuery, request.query, 'query is invalid');
    return diffConfigVersions(db, request.tenantId, query.from, query.to);
  });

  app.post('/versions/:version/rollback', async (request) => {
    const { version } = parseOrThrow(versionParams, request.params, 'path is invalid');
    if (request.body === undefined) throw new ApiError(400, 'validation_failed', 'request is invalid: version is required (the newest version you saw: the precondition)', [{ path: 'version', message: 'is required' }]);
    const body = parseOrThrow(rollbackBody, request.body);
    const tenantId = request.tenantId;
    return rollbackConfig(db, tenantId, version, body.version, { box, now: now() }).finally(() => listCache.invalidate(tenantId));
  });
}
