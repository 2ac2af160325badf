// Sends the gateway's `health` message (DESIGN §10) to the control plane: the full list of upstream targets
// with their state, once after each connection and then whenever a target changes, at most once per second
// (changes in between are coalesced into the next message).
import type { HealthMessage } from '../protocol/messages.js';
import { MAX_HEALTH_TARGETS } from '../protocol/messages.js';

export interface HealthReporterOptions {
  /** The current state of every target. */
  snapshot(): HealthMessage['targets'];
  /** Sends when connected; false when it could not. */
  send(message: HealthMessage): boolean;
  connected(): boolean;
  minIntervalMs?: number;
  now?: () => number;
}

export interface HealthReporter {
  /** A target changed (or the config did). */
  changed(): void;
  /** The connection (re)opened: the next message goes out in full, after the hello. */
  connectedAgain(): void;
  close(): void;
}

export function createHealthReporter(options: HealthReporterOptions): HealthReporter {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const now = options.now ?? Date.now;
  let lastSent = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function sendNow(): void {
    timer = undefined;
    if (closed || !options.connected()) return;
    const targets = options.snapshot().slice(0, MAX_HEALTH_TARGETS);
    if (options.send({ type: 'health', targets })) lastSent = now();
  }

  function schedule(delayMs: number): void {
    if (closed || timer !== undefined) return;
    timer = setTimeout(sendNow, Math.max(0, delayMs));
    timer.unref();
  }

  return {
    changed: () => schedule(lastSent + minIntervalMs - now()),
    // A zero delay lets the client send its hello first (it reports the connection before saying hello).
    connectedAgain: () => {
      clearTimeout(timer);
      timer = undefined;
      schedule(0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
