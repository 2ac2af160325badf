// What a hub log line says of a failure: its message only (never a stack, which can hold SQL or paths).
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : 'unknown error');
