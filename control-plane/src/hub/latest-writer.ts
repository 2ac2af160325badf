// Writes only the newest of a stream of values (a node's acks or nacks: only its latest state matters): while
// one write is in flight, later values replace each other, and the newest is written when it ends. However
// fast a gateway acks, its node has at most one write in flight and one waiting, and writes at most once per
// `minIntervalMs` (the first write of a quiet node goes out at once).

export interface LatestWriter<T> {
  submit(value: T): void;
  /** Resolves when nothing is in flight or waiting. */
  settled(): Promise<void>;
  /** Forgets the waiting value (shutdown); answers whether there was one. */
  discard(): boolean;
}

export interface LatestWriterOptions<T> {
  write(value: T): Promise<void>;
  /** A waiting value was replaced by a newer one before it was written. */
  coalesced(): void;
  failed(error: unknown): void;
  /** Least time between the starts of two writes; values arriving meanwhile coalesce. Default 0. */
  minIntervalMs?: number;
  now?: () => number;
  /** Waits `ms` (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createLatestWriter<T>(options: LatestWriterOptions<T>): LatestWriter<T> {
  let waiting: { value: T } | null = null;
  let inFlight: Promise<void> | null = null;
  let lastStart = -Infinity;
  const minIntervalMs = options.minIntervalMs ?? 0;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;

  async function loop(): Promise<void> {
    while (waiting !== null) {
      const wait = lastStart + minIntervalMs - now();
      if (wait > 0) {
        await sleep(wait);
        if (waiting === null) break; // discarded meanwhile
      }
      const { value } = waiting;
      waiting = null;
      lastStart = now();
      try {
        await options.write(value);
      } catch (error) {
        options.failed(error);
      }
    }
  }

  return {
    submit(value) {
      if (waiting !== null) options.coalesced();
      waiting = { value };
      if (inFlight === null) {
        inFlight = loop().finally(() => {
          inFlight = null;
        });
      }
    },
    settled: () => inFlight ?? Promise.resolve(),
    discard() {
      const had = waiting !== null;
      waiting = null;
      return had;
    },
  };
}
