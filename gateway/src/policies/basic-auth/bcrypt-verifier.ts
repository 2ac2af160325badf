// bcrypt comparisons off the event loop: the native `bcrypt` package runs each compare on libuv's thread pool
// (the pure-JS bcryptjs "async" compare runs on the event loop in slices of up to 100 ms, so it would stall
// every request of the process). At most `maxInFlight` verifications run or wait at once, so a flood of
// guesses from many addresses cannot queue unbounded work, and only `concurrency` compare at a time, so they
// neither take every core from the event loop nor fill the thread pool dns.lookup also needs.
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

/** Hashes of random passwords nobody knows, one per allowed cost: an unknown user costs one compare like a known one. */
const DUMMY_HASHES: Readonly<Record<number, string>> = {
  10: '$2b$10$mmHI0x1eWDS3n/vgx1dWM.95ICdQ/7aDq6DNmXXv1kdjOLmN983Ka',
  11: '$2b$11$uAow3eYuQEUfHoIFRuupt.uOlX4DEQpqlCoVQARXX6MFGRe/qCSqG',
  12: '$2b$12$GAgChgTm19Db.BLf1fE8tOeXcrdrbVTF8YgWy0Fg2PhVibGJhr6IS',
};

/** The cost written in a bcrypt hash (`$2b$12$…` → 12). */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

/** A hash of a password nobody knows, at the same cost as `like`. */
export function dummyHashLike(like: string | undefined): string {
  return DUMMY_HASHES[like === undefined ? 10 : bcryptCost(like)] ?? (DUMMY_HASHES[10] as string);
}

export class BcryptVerifier {
  private inFlight = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * `maxInFlight` verifications run or wait at once; `concurrency` of them compare at a time, so bcrypt never
   * takes every core from the event loop (the thread pool would otherwise run four at once, on any machine).
   */
  constructor(
    private readonly maxInFlight: number,
    private readonly concurrency: number = defaultConcurrency(),
  ) {}

  /** Whether a new verification would exceed the cap (the caller answers 503 without one). */
  get full(): boolean {
    return this.inFlight >= this.maxInFlight;
  }

  /**
   * Compares `password` with the hashes in turn and returns the first that matches, or undefined (a wrong
   * password costs one compare per hash). `$2y$` is bcrypt's `$2b$` under PHP's name; the native library only
   * knows the latter.
   */
  async firstMatch(password: string, hashes: readonly string[]): Promise<string | undefined> {
    this.inFlight++;
    try {
      if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.running++;
      try {
        for (const hash of hashes) {
          const comparable = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
          if (await bcrypt.compare(password, comparable)) return hash;
        }
        return undefined;
      } finally {
        this.running--;
        this.waiting.shift()?.();
      }
    } finally {
      this.inFlight--;
    }
  }
}

/** Half the cores, at least one, at most the thread pool's four: the rest stay with the event loop. */
export function defaultConcurrency(): number {
  return Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
}
