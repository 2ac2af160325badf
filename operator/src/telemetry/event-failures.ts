// What the operator does when the API server refuses an Event: the reconcile goes on (an Event is informational),
// but the loss is counted and said: a warning the first time for each cause, then debug lines only.
import type { Counter } from 'prom-client';
import type { Logger } from './logger.js';

/** A bounded label for why an Event could not be written: the HTTP status, or `network` when none came back. */
export function eventFailureCause(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' && code >= 100 && code < 600 ? String(code) : 'network';
}

export type EventFailureReporter = (error: unknown, event: { kind: string; reason: string }) => void;

export function createEventFailureReporter(counter: Counter<'cause'>, log: Logger, describe: (error: unknown) => string): EventFailureReporter {
  const warned = new Set<string>();
  return (error, event) => {
    const cause = eventFailureCause(error);
    counter.inc({ cause });
    const fields = { cause, kind: event.kind, reason: event.reason, error: describe(error) };
    if (warned.has(cause)) {
      log.debug('could not record an Event', fields);
      return;
    }
    warned.add(cause);
    log.warn('could not record an Event; further failures of this cause are logged at debug and counted in novagate_events_failed_total', fields);
  };
}
