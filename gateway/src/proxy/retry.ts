// The error code of an upstream failure (undici nests Node's errno under `cause`), and whether it is a timeout.
// When an attempt is retried is retry-policy.ts's job.

export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

/** Timeouts answer 504, every other upstream failure 502. */
export function isTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}
