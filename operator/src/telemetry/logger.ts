// JSON log lines on stdout (or a test's sink), filtered by level. Never given a key, a password or a Secret's data.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const log = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (RANK[at] > RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, service: 'operator', message, ...fields }));
  };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}

/** An error as one short line for a log: its message, never its stack or a request body. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const body = (error as { body?: unknown }).body;
    const reason = typeof body === 'string' ? body.slice(0, 300) : '';
    return reason === '' ? error.message.slice(0, 500) : `${error.message.slice(0, 200)} ${reason}`;
  }
  return String(error).slice(0, 500);
}
