// JSON-lines logs (DESIGN §5). Lines are batched and written every few milliseconds; when the output
// cannot keep up, entries beyond a bounded backlog are dropped and counted rather than buffered without end.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A request log entry: the path is the route's template, never the raw path or query. */
export interface RequestLogEntry {
  requestId: string;
  method: string;
  pathTemplate: string;
  status: number;
  latencyMs: number;
  route: string;
  consumer?: string | undefined;
  /** For a 502/504 the gateway made because the upstream failed: the cause class (proxy/upstream-cause.ts). */
  upstreamCause?: string | undefined;
  /** The service the request went to (for error events; not written to the log line). */
  service?: string | undefined;
}

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  request(entry: RequestLogEntry): void;
  /** Writes what is buffered now. */
  flush(): void;
}

export interface LogOutput {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface LoggerOptions {
  level: LogLevel;
  output: LogOutput;
  onDropped?: (count: number) => void;
  /** Most lines held while the output is blocked. */
  maxBacklog?: number;
  /** How long lines may wait to be written together, ms. */
  flushIntervalMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** Characters that would need escaping inside a JSON string (control characters are the point here). */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

/** A JSON string literal; the values of request lines are nearly always plain, and then this is a concatenation. */
function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const maxBacklog = options.maxBacklog ?? 10_000;
  const now = options.now ?? Date.now;
  const flushIntervalMs = options.flushIntervalMs ?? 10;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let blocked = false;
  // The ISO time of the last millisecond seen: under load many lines share it. Date#toISOString costs
  // about a microsecond, so it runs once per second and the milliseconds are written by hand.
  let lastMs = -1;
  let lastIso = '';
  let lastSecond = -1;
  let secondPrefix = '';

  function isoTime(): string {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      const milli = ms % 1000;
      const second = ms - milli;
      if (milli < 0 || !Number.isInteger(ms)) {
        lastIso = new Date(ms).toISOString();
        return lastIso;
      }
      if (second !== lastSecond) {
        lastSecond = second;
        secondPrefix = new Date(second).toISOString().slice(0, -4); // up to and with the '.'
      }
      lastIso = `${secondPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
    }
    return lastIso;
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (blocked || pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    if (!options.output.write(chunk)) {
      blocked = true;
      options.output.once('drain', () => {
        blocked = false;
        flush();
      });
    }
  }

  function push(line: string): void {
    if (pending.length >= maxBacklog) {
      options.onDropped?.(1);
      return;
    }
    pending.push(line);
    // Lines are written together every few milliseconds (one write for many requests), or at once when many wait.
    if (pending.length >= 512) flush();
    else timer ??= setTimeout(flush, flushIntervalMs);
  }

  function log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[level] < threshold) return;
    push(`${JSON.stringify({ time: isoTime(), level, msg, ...fields })}\n`);
  }

  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    request(entry) {
      if (RANK.info < threshold) return;
      // Written by hand: this runs once per proxied request.
      const consumer = entry.consumer === undefined ? '' : `,"consumer":${jsonString(entry.consumer)}`;
      const cause = entry.upstreamCause === undefined ? '' : `,"upstreamCause":${jsonString(entry.upstreamCause)}`;
      push(
        `{"time":"${isoTime()}","level":"info","msg":"request","requestId":${jsonString(entry.requestId)},` +
          `"method":${jsonString(entry.method)},"pathTemplate":${jsonString(entry.pathTemplate)},"status":${entry.status},` +
          `"latencyMs":${entry.latencyMs},"route":${jsonString(entry.route)}${consumer}${cause}}\n`,
      );
    },
    flush,
  };
}
