import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import winston from 'winston';
import {
  alreadyExists,
  conflict,
  invalidConfig,
  invalidReference,
  managedByOperator,
  notFound,
  planLimitExceeded,
  STORE_ERROR_CODES,
  StoreError,
} from '../tenancy/store-error.js';
import { ApiError, apiErrorOf, handleError, STORE_ERROR_STATUS } from './errors.js';

// DESIGN §3's statuses, written out here so that a change to the table is a change to this test too.
const EXPECTED_STATUS = {
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
} as const;

test('every StoreError code has the HTTP status DESIGN §3 gives it', () => {
  assert.deepEqual(Object.keys(STORE_ERROR_STATUS).sort(), [...STORE_ERROR_CODES].sort());
  for (const code of STORE_ERROR_CODES) assert.equal(STORE_ERROR_STATUS[code], EXPECTED_STATUS[code], code);
});

test('a StoreError becomes the ApiError the admin API answered before: same status, code, message and details', () => {
  const cases: [StoreError, ApiError][] = [
    [notFound('service'), new ApiError(404, 'not_found', 'service not found')],
    [alreadyExists('a route with this name already exists', 'name'), new ApiError(409, 'already_exists', 'a route with this name already exists', [{ path: 'name', message: 'a route with this name already exists' }])],
    [managedByOperator("route 'k8s.a.b'"), new ApiError(409, 'managed_by_operator', "route 'k8s.a.b' is managed by the Kubernetes operator; change its custom resource instead")],
    [planLimitExceeded('routes', 10, 'free'), new ApiError(422, 'plan_limit_exceeded', 'the free plan allows at most 10 routes')],
    [invalidReference('service', "service 'x' does not exist"), new ApiError(422, 'invalid_reference', "service 'x' does not exist", [{ path: 'service', message: "service 'x' does not exist" }])],
    [conflict('overlap', 'paths'), new ApiError(409, 'conflict', 'overlap', [{ path: 'paths', message: 'overlap' }])],
    [new StoreError('version_conflict', 'config is at version 3, not 2'), new ApiError(409, 'version_conflict', 'config is at version 3, not 2')],
    [new StoreError('in_use', 'the service is still used by routes; delete or move them first'), new ApiError(409, 'in_use', 'the service is still used by routes; delete or move them first')],
    [
      invalidConfig([{ path: 'config.routes[0]', message: 'bad' }], 'request is invalid'),
      new ApiError(400, 'validation_failed', 'request is invalid: config.routes[0]: bad', [{ path: 'config.routes[0]', message: 'bad' }]),
    ],
  ];
  for (const [stored, expected] of cases) {
    const answered = apiErrorOf(stored);
    assert.deepEqual(
      { status: answered.status, code: answered.code, message: answered.message, details: answered.details, headers: answered.headers },
      { status: expected.status, code: expected.code, message: expected.message, details: expected.details, headers: expected.headers },
    );
  }
});

test('a plan-limit StoreError carries the limit and the plan', () => {
  assert.deepEqual(planLimitExceeded('services', 3, 'free').limit, { max: 3, plan: 'free' });
});

test('the error handler answers a thrown StoreError with its status and the error body', async () => {
  const app = Fastify();
  app.setErrorHandler(handleError(winston.createLogger({ silent: true })));
  app.get('/limit', async () => {
    throw planLimitExceeded('consumers', 5, 'free');
  });
  app.get('/taken', async () => {
    throw alreadyExists('a service with this name already exists', 'name');
  });
  const limit = await app.inject({ method: 'GET', url: '/limit' });
  assert.equal(limit.statusCode, 422);
  assert.deepEqual(limit.json(), { error: { code: 'plan_limit_exceeded', message: 'the free plan allows at most 5 consumers' } });
  const taken = await app.inject({ method: 'GET', url: '/taken' });
  assert.equal(taken.statusCode, 409);
  assert.deepEqual(taken.json(), {
    error: {
      code: 'already_exists',
      message: 'a service with this name already exists',
      details: [{ path: 'name', message: 'a service with this name already exists' }],
    },
  });
  await app.close();
});
