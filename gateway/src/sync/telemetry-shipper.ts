// Ships request-log entries and error events to the control plane (DESIGN §6): batches of at most 500,
// strings capped at 256 characters, the path template only. The outgoing buffer is bounded: when it is full
// the oldest entries are dropped and counted, so a control plane that is away never costs unbounded memory.
import type { RequestLogEntry } from '../telemetry/logger.js';

export const MAX_BATCH = 500;
const MAX_STRING = 256;

/** A request-log entry as DESIGN §6 sends it: the logged fields plus the time. */
export type ShippedLogEntry = Omit<RequestLogEntry, 'consumer' | 'upstreamCause'> & { consumer?: string; time: string };

export interface TelemetryShipperOptions {
  /** Sends one message; false when it could not be sent (not connected). */
  send(message: object): boolean;
  /** Most entries held while they cannot be sent. */
  capacity?: number;
  onDropped(count: number): void;
  /** The service a route forwards to, for error events (by name, never a URL). */
  serviceOfRoute(route: string): string | undefined;
  now?: () => number;
}

export interface TelemetryShipper {
  record(entry: RequestLogEntry): void;
  /** Sends what is buffered, as far as the connection takes it. */
  flush(): void;
  buffered(): number;
}

const cap = (value: string) => (value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value);

/**
 * Error-event codes for the statuses the gateway itself produces when an upstream fails; the failure's cause
 * class (connection_refused, dns_failure, …) replaces them when the gateway knows it.
 */
const UPSTREAM_ERROR_CODES: Record<number, string> = { 502: 'upstream_error', 503: 'upstream_unavailable', 504: 'upstream_timeout' };

export function createTelemetryShipper(options: TelemetryShipperOptions): TelemetryShipper {
  const capacity = options.capacity ?? 10_000;
  const now = options.now ?? Date.now;
  // A ring buffer: `start` is the oldest entry, `size` how many are held.
  const ring: (ShippedLogEntry | undefined)[] = new Array<ShippedLogEntry | undefined>(capacity);
  let start = 0;
  let size = 0;
  const errorCounts = new Map<string, { code: string; service: string; count: number }>();

  function take(count: number): ShippedLogEntry[] {
    const batch: ShippedLogEntry[] = [];
    for (let i = 0; i < count; i++) batch.push(ring[(start + i) % capacity] as ShippedLogEntry);
    return batch;
  }

  function drop(count: number): void {
    for (let i = 0; i < count; i++) ring[(start + i) % capacity] = undefined;
    start = (start + count) % capacity;
    size -= count;
  }

  return {
    record(entry) {
      const shipped: ShippedLogEntry = {
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
      const service = code === undefined ? undefined : options.serviceOfRoute(entry.route);
      if (code !== undefined && service !== undefined) {
        const key = `${code}\u0000${service}`;
        const counted = errorCounts.get(key) ?? { code, service: cap(service), count: 0 };
        counted.count += 1;
        errorCounts.set(key, counted);
      }
    },
    flush() {
      while (size > 0) {
        const count = Math.min(MAX_BATCH, size);
        if (!options.send({ type: 'logs', entries: take(count) })) break;
        drop(count);
      }
      if (errorCounts.size > 0) {
        const time = new Date(now()).toISOString();
        const events = [...errorCounts.values()].slice(0, MAX_BATCH).map((e) => ({ ...e, time }));
        if (options.send({ type: 'errors', events })) errorCounts.clear();
      }
    },
    buffered: () => size,
  };
}
