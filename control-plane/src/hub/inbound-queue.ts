// One gateway connection's inbound messages, handled one at a time and in order (an ack must not overtake
// its hello), in a queue with a bound: over it the socket stops being read (TCP pushes back on the sender),
// below half of it reading resumes. After a pause ws still delivers the frames of the chunk it has read (up to
// 64 KiB of small messages, or one message of up to 1 MiB), so a hard cap in bytes sits above that: past it
// messages are dropped and counted. On shutdown the queue is discarded. Neither memory nor work grows with a flood.

export interface InboundQueueLimits {
  /** Pause reading at this many queued messages or bytes; resume at half of both. */
  maxMessages: number;
  maxBytes: number;
  /** Drop, rather than queue, past this many queued bytes (a safety net behind the pause that ws never reaches). */
  hardMaxBytes: number;
}

export const DEFAULT_INBOUND_QUEUE_LIMITS: InboundQueueLimits = {
  maxMessages: 64,
  maxBytes: 4 * 1024 * 1024,
  hardMaxBytes: 8 * 1024 * 1024,
};

export interface InboundQueueOptions<T> {
  limits: InboundQueueLimits;
  handle(item: T): Promise<void>;
  /** Stop and restart reading the socket (ws's WebSocket#pause/resume pause the underlying net.Socket). */
  pause(): void;
  resume(): void;
  dropped(reason: 'queue_full' | 'shutdown', count: number): void;
  failed(error: unknown): void;
}

export interface InboundQueue<T> {
  /** Queues an item; false when it was dropped instead. */
  push(item: T, bytes: number): boolean;
  /** Queued items, not counting the one being handled. */
  length(): number;
  isPaused(): boolean;
  /** Drops every queued item (counted as `shutdown`) and refuses later ones; the item being handled finishes. */
  discard(): number;
  /** Resolves when nothing is queued or being handled. */
  idle(): Promise<void>;
}

export function createInboundQueue<T>(options: InboundQueueOptions<T>): InboundQueue<T> {
  const { limits } = options;
  let items: { item: T; bytes: number }[] = [];
  let head = 0;
  let queuedBytes = 0;
  let running = false;
  let paused = false;
  let discarded = false;
  let idleWaiters: (() => void)[] = [];

  const length = () => items.length - head;

  function wakeIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  async function run(): Promise<void> {
    running = true;
    while (length() > 0) {
      const next = items[head] as { item: T; bytes: number };
      items[head] = undefined as unknown as { item: T; bytes: number };
      head += 1;
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      queuedBytes -= next.bytes;
      if (paused && length() <= limits.maxMessages / 2 && queuedBytes <= limits.maxBytes / 2) {
        paused = false;
        if (!discarded) options.resume();
      }
      try {
        await options.handle(next.item);
      } catch (error) {
        options.failed(error);
      }
    }
    running = false;
    wakeIdle();
  }

  return {
    push(item, bytes) {
      if (discarded) {
        options.dropped('shutdown', 1);
        return false;
      }
      if (queuedBytes + bytes > limits.hardMaxBytes) {
        options.dropped('queue_full', 1);
        return false;
      }
      items.push({ item, bytes });
      queuedBytes += bytes;
      if (!paused && (length() >= limits.maxMessages || queuedBytes >= limits.maxBytes)) {
        paused = true;
        options.pause();
      }
      if (!running) void run();
      return true;
    },
    length,
    isPaused: () => paused,
    discard() {
      const count = length();
      discarded = true;
      items = [];
      head = 0;
      queuedBytes = 0;
      if (count > 0) options.dropped('shutdown', count);
      if (!running) wakeIdle();
      return count;
    },
    idle() {
      if (!running && length() === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
