// The data layer's refusals: one error class with a stable code and the structured details a caller shows
// (field paths; a plan limit's number and plan). No HTTP here: http/errors.ts maps codes to statuses, the
// operator maps them to condition reasons.
import type { ConfigProblem } from '@novagate/gateway/config';

/** Every code a data function can throw. */
export const STORE_ERROR_CODES = [
  'not_found',
  'already_exists',
  // A route claiming the same requests as another, or a consumer holding the most keys it can.
  'conflict',
  'version_conflict',
  // If-Match named another state of the object than the stored one (someone changed it meanwhile).
  'precondition_failed',
  'managed_by_operator',
  'in_use',
  'plan_limit_exceeded',
  'invalid_reference',
  // A config that is invalid once merged with the stored objects it must keep.
  'validation_failed',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: ConfigProblem[] = [],
    /** For plan_limit_exceeded: the limit and the plan that sets it. */
    readonly limit?: { max: number; plan: string },
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** `message: path: problem; …`, the one way a list of problems reads in a message. */
export function problemsMessage(message: string, details: readonly ConfigProblem[]): string {
  return `${message}: ${details.map((d) => `${d.path || 'body'}: ${d.message}`).join('; ')}`;
}

export const notFound = (what: string) => new StoreError('not_found', `${what} not found`);
export const alreadyExists = (message: string, path?: string) =>
  new StoreError('already_exists', message, path === undefined ? [] : [{ path, message }]);
export const conflict = (message: string, path?: string) => new StoreError('conflict', message, path === undefined ? [] : [{ path, message }]);
export const managedByOperator = (what: string) =>
  new StoreError('managed_by_operator', `${what} is managed by the Kubernetes operator; change its custom resource instead`);
export const planLimitExceeded = (what: string, max: number, plan: string) =>
  new StoreError('plan_limit_exceeded', `the ${plan} plan allows at most ${max} ${what}`, [], { max, plan });
export const invalidReference = (path: string, message: string) => new StoreError('invalid_reference', message, [{ path, message }]);
export const invalidConfig = (details: ConfigProblem[], message: string) =>
  new StoreError('validation_failed', problemsMessage(message, details), details);
