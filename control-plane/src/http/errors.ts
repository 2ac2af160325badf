// The control plane's typed API errors (DESIGN §3) and the one place they become HTTP responses, the data
// layer's StoreErrors included (one table of their statuses).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'winston';
import { problemsFromZodError, type ConfigProblem } from '@novagate/gateway/config';
import { z } from 'zod';
import { isUuid } from '../tenancy/schema-name.js';
import { TenantBusyError } from '../db/tenant-gate.js';
import { PG_RETRYABLE } from '../db/pool.js';
import { UnknownTenantError } from '../tenancy/tenant-transaction.js';
import { problemsMessage, StoreError, type StoreErrorCode } from '../tenancy/store-error.js';
import { CertificatesDisabledError } from '../tenancy/certificates.js';

export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'forbidden'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'version_conflict'
  | 'precondition_failed'
  | 'managed_by_operator'
  | 'in_use'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'plan_limit_exceeded'
  | 'invalid_reference'
  | 'too_many_requests'
  | 'service_unavailable'
  | 'internal_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ConfigProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const validationFailed = (details: ConfigProblem[], message = 'request is invalid') =>
  new ApiError(400, 'validation_failed', problemsMessage(message, details), details);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'this token does not give access to that tenant') =>
  new ApiError(403, 'forbidden', message);
export const unauthorized = (message = 'a valid bearer token is required') => new ApiError(401, 'unauthorized', message);
export const alreadyExists = (message: string, path?: string) =>
  new ApiError(409, 'already_exists', message, path === undefined ? [] : [{ path, message }]);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, 'too_many_requests', `too many requests; retry after ${retryAfterSeconds} s`, [], {
    'Retry-After': String(retryAfterSeconds),
  });

/** The HTTP status of each data-layer refusal (DESIGN §3): the one place a StoreError code meets HTTP. */
export const STORE_ERROR_STATUS: Record<StoreErrorCode, number> = {
  validation_failed: 400,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  version_conflict: 409,
  precondition_failed: 412,
  managed_by_operator: 409,
  in_use: 409,
  plan_limit_exceeded: 422,
  invalid_reference: 422,
};

/** A data-layer refusal as the API error it answers: same code, message and details. */
export function apiErrorOf(error: StoreError): ApiError {
  return new ApiError(STORE_ERROR_STATUS[error.code], error.code, error.message, error.details);
}

// Made once (they are answered thousands of times a second in a storm); sendError only reads them.
const TENANT_BUSY = new ApiError(429, 'too_many_requests', 'too many concurrent requests for this tenant; retry later', [], { 'Retry-After': '1' });
const TENANT_TIMED_OUT = new ApiError(503, 'service_unavailable', "this tenant's earlier requests are still running; retry later", [], {
  'Retry-After': '1',
});

/**
 * The database saying "not now" as API errors, never a 500: a tenant over its share of concurrent work (429), a
 * wait for its turn, a statement or lock timeout, a deadlock or no free pooled connection (503), all with
 * Retry-After. Null for any other error.
 */
export function databaseErrorOf(error: unknown): ApiError | null {
  // The tenant was deleted after its token was checked.
  if (error instanceof UnknownTenantError) return notFound('tenant');
  if (error instanceof TenantBusyError) return error.reason === 'busy' ? TENANT_BUSY : TENANT_TIMED_OUT;
  // A deployment setting, not the client's mistake nor a passing state: 503 with no Retry-After.
  if (error instanceof CertificatesDisabledError) return new ApiError(503, 'service_unavailable', error.message);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // pg-pool's checkout timeout carries no code, only this message.
  const poolTimeout = error instanceof Error && error.message === 'timeout exceeded when trying to connect';
  if ((typeof code === 'string' && PG_RETRYABLE.has(code)) || poolTimeout) {
    return new ApiError(503, 'service_unavailable', 'the database is busy; retry later', [], { 'Retry-After': '1' });
  }
  return null;
}

/** A path parameter that must be a UUID (validated before any query), or 400 naming the parameter. */
export function uuidParam(value: string | undefined, name: string): string {
  if (!isUuid(value)) throw new ApiError(400, 'validation_failed', `${name} must be a UUID`, [{ path: name, message: 'must be a UUID' }]);
  return value;
}

/** Parses `input` with a zod schema or throws 400 validation_failed naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, message?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(problemsFromZodError(result.error), message);
  return result.data;
}

export function sendError(reply: FastifyReply, error: ApiError): void {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const body: { code: ErrorCode; message: string; details?: ConfigProblem[] } = { code: error.code, message: error.message };
  if (error.details.length > 0) body.details = error.details;
  void reply.code(error.status).send({ error: body });
}

/** Fastify's own request errors (body parsing, URLs), as API errors; null for anything else. */
export function requestErrorOf(error: FastifyError, bodyLimit?: number): ApiError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', `request body is larger than the limit of ${bodyLimit ?? '?'} bytes`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'validation_failed', 'request body is not valid JSON', [{ path: '', message: 'malformed JSON' }]);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'validation_failed', 'request body is empty but its Content-Type is application/json', [
        { path: '', message: 'is empty' },
      ]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json)');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'validation_failed', 'Content-Length does not match the body', [{ path: '', message: 'bad Content-Length' }]);
    case 'FST_ERR_BAD_URL':
      return new ApiError(400, 'validation_failed', 'the URL is not validly percent-encoded', [{ path: 'url', message: 'bad percent-encoding' }]);
    default:
      return null;
  }
}

/** The error handler: typed errors as they are, anything unknown as a logged 500 with no details. */
export function handleError(logger: Logger): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    if (reply.sent) return;
    if (error instanceof ApiError) return sendError(reply, error);
    if (error instanceof StoreError) return sendError(reply, apiErrorOf(error));
    const requestError = requestErrorOf(error, request.routeOptions.bodyLimit);
    if (requestError !== null) return sendError(reply, requestError);
    const databaseError = databaseErrorOf(error);
    if (databaseError !== null) return sendError(reply, databaseError);
    const clientStatus = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : null;
    if (clientStatus !== null) return sendError(reply, new ApiError(clientStatus, 'validation_failed', error.message));
    // Log the error's name and message only: a pg error's detail can hold row values.
    logger.error('unhandled error', { requestId: request.id, error: error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown' });
    sendError(reply, new ApiError(500, 'internal_error', 'internal error'));
  };
}
