// When a failed upstream attempt may be tried again: only idempotent methods without a request body, and
// only for errors raised before a connection existed, so no byte of the request reached the upstream.

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const BEFORE_ANY_BYTE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

export function isRetriable(method: string, hasBody: boolean, error: unknown, attempt: number, retries: number): boolean {
  if (attempt >= retries || hasBody || !IDEMPOTENT.has(method)) return false;
  const code = errorCode(error);
  return code !== undefined && BEFORE_ANY_BYTE.has(code);
}

/** Timeouts answer 504, every other upstream failure 502. */
export function isTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
