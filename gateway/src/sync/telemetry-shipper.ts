// Ships request-log entries and error events to the control plane (DESIGN §6): batches of at most 500,
// strings capped at 256 characters, the path template only. The outgoing buffer is bounded: when it is full
// the oldest entries are dropped and counted, so a control plane that is away never costs unbounded memory.
import { MAX_LOG_ENTRIES_PER_BATCH, MAX_STRING_LENGTH, type ErrorsMessage, type LogEntry, type LogsMessage } from '../protocol/index.js';
import type { RequestLogEntry } from '../telemetry/logger.js';

export interface TelemetryShipperOptions {
  /** Sends one message; false when it could not be sent (not connected). */
  send(message: LogsMessage | ErrorsMessage): boolean;
  /** Most entries held while they cannot be sent. */
  capacity?: number;
  onDropped(count: number): void;
  /** The service a route forwards to, for error events of entries that do not name theirs (by name, never a URL). */
  serviceOfRoute(route: string): string | undefined;
  now?: () => number;
}

export interface TelemetryShipper {
  record(entry: RequestLogEntry): void;
  /** Sends what is buffered, as far as the connection takes it. */
  flush(): void;
  buffered(): number;
}

const cap = (value: string) => (value.length > MAX_STRING_LENGTH ? value.slice(0, MAX_STRING_LENGTH) : value);

/**
 * Error-event codes for the statuses the gateway itself produces when an upstream fails; the failure's cause
 * class (connection_refused, dns_failure, …) replaces them when the gateway knows it.
 */
const UPSTREAM_ERROR_CODES: Record<number, string> = { 502: 'upstream_error', 503: 'upstream_unavailable', 504: 'upstream_timeout' };

export function createTelemetryShipper(options: TelemetryShipperOptions): TelemetryShipper {
  const capacity = options.capacity ?? 10_000;
  const now = options.now ?? Date.now;
  // A ring buffer: `start` is the oldest entry, `size` how many are held.
  const ring: (LogEntry | undefined)[] = new Array<LogEntry | undefined>(capacity);
  let start = 0;
  let size = 0;
  const errorCounts = new Map<string, { code: string; service: string; count: number }>();

  function take(count: number): LogEntry[] {
    const batch: LogEntry[] = [];
    for (let i = 0; i < count; i++) batch.push(ring[(start + i) % capacity] as LogEntry);
    return batch;
  }

  function drop(count: number): void {
    for (let i = 0; i < count; i++) ring[(start + i) % capacity] = undefined;
    start = (start + count) % capacity;
    size -= count;
  }

  return {
    record(entry) {
      const shipped: LogEntry = {
        requestId: cap(entry.requestId),
        method: cap(entry.method),
        pathTemplate: cap(entry.pathTemplate),
        status: entry.status,
        latencyMs: entry.latencyMs,
        route: cap(entry.route),
        time: new Date(now()).toISOString(),
      };
      if (entry.consumer !== undefined) shipped.consumer = cap(entry.consumer);
      if (size === capacity) {
        drop(1);
        options.onDropped(1);
      }
      ring[(start + size) % capacity] = shipped;
      size += 1;
      const statusCode = UPSTREAM_ERROR_CODES[entry.status];
      const code = statusCode === undefined ? undefined : (entry.upstreamCause ?? statusCode);
      const service = code === undefined ? undefined : (entry.service ?? options.serviceOfRoute(entry.route));
      if (code !== undefined && service !== undefined) {
        const key = `${code}\u0000${service}`;
        const counted = errorCounts.get(key) ?? { code, service: cap(service), count: 0 };
        counted.count += 1;
        errorCounts.set(key, counted);
      }
    },
    flush() {
      while (size > 0) {
        const count = Math.min(MAX_LOG_ENTRIES_PER_BATCH, size);
        if (!options.send({ type: 'logs', entries: take(count) })) break;
        drop(count);
      }
      if (errorCounts.size > 0) {
        const time = new Date(now()).toISOString();
        const events = [...errorCounts.values()].slice(0, MAX_LOG_ENTRIES_PER_BATCH).map((e) => ({ ...e, time }));
        if (options.send({ type: 'errors', events })) errorCounts.clear();
      }
    },
    buffered: () => size,
  };
}
