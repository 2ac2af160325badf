// Writes only the newest of a stream of values (a node's acks or nacks: only its latest state matters): while
// one write is in flight, later values replace each other, and the newest is written when it ends. However
// fast a gateway acks, its node has at most one write in flight and one waiting.

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
}

export function createLatestWriter<T>(options: LatestWriterOptions<T>): LatestWriter<T> {
  let waiting: { value: T } | null = null;
  let inFlight: Promise<void> | null = null;

  async function loop(): Promise<void> {
    while (waiting !== null) {
      const { value } = waiting;
      waiting = null;
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
