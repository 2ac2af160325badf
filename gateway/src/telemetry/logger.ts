// JSON-lines logs (DESIGN §5). Lines are batched and written once per event-loop turn; when the output
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
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const maxBacklog = options.maxBacklog ?? 10_000;
  const now = options.now ?? (() => new Date());
  let pending: string[] = [];
  let scheduled = false;
  let blocked = false;

  function flush(): void {
    scheduled = false;
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
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  function log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[level] < threshold) return;
    push(`${JSON.stringify({ time: now().toISOString(), level, msg, ...fields })}\n`);
  }

  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    request(entry) {
      if (RANK.info < threshold) return;
      // Written by hand: this runs once per proxied request. Strings that may need escaping go through JSON.stringify.
      const consumer = entry.consumer === undefined ? '' : `,"consumer":${JSON.stringify(entry.consumer)}`;
      push(
        `{"time":"${now().toISOString()}","level":"info","msg":"request","requestId":${JSON.stringify(entry.requestId)},` +
          `"method":"${entry.method}","pathTemplate":${JSON.stringify(entry.pathTemplate)},"status":${entry.status},` +
          `"latencyMs":${entry.latencyMs},"route":${JSON.stringify(entry.route)}${consumer}}\n`,
      );
    },
    flush,
  };
}
