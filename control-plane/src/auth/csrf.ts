// Whether a state-changing request authenticated by the console's session cookie may go on (issue 19): it must come
// from the control plane's own origin (Origin header) and carry the session's CSRF token (X-CSRF-Token header).
// A bearer-token client is never asked for either: a browser cannot attach its Authorization header cross-site.
// cookieWriteProblems is the pure rule; assertCookieWriteAllowed applies it to a request.
import type { ConfigProblem } from '@novagate/gateway/config';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import { CSRF_HEADER, csrfTokenMatches } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export interface CookieWrite {
  origin: string | undefined;
  csrfToken: string | undefined;
  /** The control plane's public origin (scheme://host[:port] of PUBLIC_URL). */
  expectedOrigin: string;
  csrfMatches: (token: string) => boolean;
}

/** What is missing or wrong, one problem per header (empty: allowed). */
export function cookieWriteProblems(request: CookieWrite): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (request.csrfToken === undefined || request.csrfToken === '') {
    problems.push({ path: 'headers.x-csrf-token', message: 'is missing: a request authenticated by the session cookie must carry the CSRF token' });
  } else if (!request.csrfMatches(request.csrfToken)) {
    problems.push({ path: 'headers.x-csrf-token', message: "is not this session's CSRF token" });
  }
  if (request.origin === undefined || request.origin === '') {
    problems.push({ path: 'headers.origin', message: `is missing: a request authenticated by the session cookie must come from ${request.expectedOrigin}` });
  } else if (request.origin !== request.expectedOrigin) {
    problems.push({ path: 'headers.origin', message: `is not ${request.expectedOrigin}` });
  }
  return problems;
}

/** 403 forbidden naming each problem (in the message and in `details`). */
export function cookieWriteRefusal(problems: ConfigProblem[]): ApiError {
  return new ApiError(403, 'forbidden', `refused: ${problems.map((p) => `${p.path.replace('headers.', '')} ${p.message}`).join('; ')}`, problems);
}

const headerOf = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Throws 403 unless `request`, made with the cookie of session `sessionId`, has the right Origin and CSRF token. */
export function assertCookieWriteAllowed(request: FastifyRequest, sessionId: string, expectedOrigin: string): void {
  const problems = cookieWriteProblems({
    origin: headerOf(request, 'origin'),
    csrfToken: headerOf(request, CSRF_HEADER),
    expectedOrigin,
    csrfMatches: (token) => csrfTokenMatches(sessionId, token),
  });
  if (problems.length > 0) throw cookieWriteRefusal(problems);
}

/** A browser's Origin, when it sent one. */
export function originOf(request: FastifyRequest): string | undefined {
  return headerOf(request, 'origin');
}
