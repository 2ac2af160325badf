// Sends the gateway's `health` message (DESIGN §10) to the control plane: the full list of upstream targets
// with their state, once after each connection and then whenever a target changes, at most once per second
// (changes in between are coalesced into the next message). The control plane closes a connection whose first
// messages arrive before its hello was admitted (an asynchronous database transaction), so after connecting
// the first message waits for the control plane's first config frame, or HELLO_GRACE_MS when none comes (a
// gateway already on the newest version gets none).
import type { HealthMessage } from '../protocol/messages.js';
import { MAX_HEALTH_TARGETS } from '../protocol/messages.js';

export interface HealthReporterOptions {
  /** The current state of every target. */
  snapshot(): HealthMessage['targets'];
  /** Sends when connected; false when it could not. */
  send(message: HealthMessage): boolean;
  connected(): boolean;
  minIntervalMs?: number;
  helloGraceMs?: number;
  now?: () => number;
}

export const HELLO_GRACE_MS = 10_000;

export interface HealthReporter {
  /** A target changed (or the config did). */
  changed(): void;
  /** The connection (re)opened: the next message goes out once the hello was surely admitted. */
  connectedAgain(): void;
  /** The control plane sent a config on this connection: its hello was admitted. */
  helloAdmitted(): void;
  close(): void;
}

export function createHealthReporter(options: HealthReporterOptions): HealthReporter {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const now = options.now ?? Date.now;
  let lastSent = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let awaitingHello = false;

  function sendNow(): void {
    timer = undefined;
    awaitingHello = false;
    if (closed || !options.connected()) return;
    const targets = options.snapshot().slice(0, MAX_HEALTH_TARGETS);
    if (options.send({ type: 'health', targets })) lastSent = now();
  }

  function schedule(delayMs: number): void {
    if (closed || timer !== undefined) return;
    timer = setTimeout(sendNow, Math.max(0, delayMs));
    timer.unref();
  }

  function reschedule(delayMs: number): void {
    clearTimeout(timer);
    timer = undefined;
    schedule(delayMs);
  }

  return {
    // While waiting for the hello, the message already planned carries every change.
    changed: () => (awaitingHello ? undefined : schedule(lastSent + minIntervalMs - now())),
    connectedAgain: () => {
      awaitingHello = true;
      reschedule(options.helloGraceMs ?? HELLO_GRACE_MS);
    },
    helloAdmitted: () => {
      if (awaitingHello) reschedule(0);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
