// The control plane's JSON API as the console calls it: same origin, the httpOnly session cookie sent by the
// browser, the CSRF token (kept by the caller in memory only) on every state-changing request.
import type { ProblemDetail } from './field-errors.js';

export const API_BASE = '/api/v1';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] | undefined,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** The session's CSRF token: required by the API on anything but GET/HEAD made with the cookie. */
  csrfToken?: string;
  /** The ETag of the object as the page read it: the write is refused (412) if it changed since. */
  ifMatch?: string;
}

/** A 2xx answer's body and its ETag (null when the API sent none). */
export interface Tagged<T> {
  body: T;
  etag: string | null;
}

/** One API call; resolves to the parsed body on 2xx, rejects with ApiFailure otherwise. */
export async function callApi<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await callApiTagged<T>(method, path, options)).body;
}

/** One API call, keeping the answer's ETag (for a later conditional write). */
export async function callApiTagged<T>(method: string, path: string, options: RequestOptions = {}): Promise<Tagged<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.csrfToken !== undefined) headers['x-csrf-token'] = options.csrfToken;
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  const response = await fetch(`${API_BASE}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    // The page's policy is no-referrer, under which browsers send `Origin: null` on writes; the API's CSRF
    // rule needs the real origin, which same-origin lets through (it never leaves this origin).
    referrerPolicy: 'same-origin',
  });
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : safeJson(text);
  if (response.ok) return { body: parsed as T, etag: response.headers.get('etag') };
  // The API's errors are `{error: {code, message, details?}}`.
  const error = (parsed as { error?: { code?: string; message?: string; details?: ProblemDetail[] } } | undefined)?.error ?? {};
  throw new ApiFailure(response.status, error.code ?? 'error', error.message ?? `HTTP ${response.status}`, error.details);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
