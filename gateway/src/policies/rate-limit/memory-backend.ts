// In-process counters for a gateway without REDIS_URL: each process counts alone (main.ts warns at start-up).
import type { CounterOutcome, CounterSpec, RateLimitBackend } from './backend.js';

interface Counter {
  count: number;
  expiresAt: number;
}

export function createMemoryBackend(now: () => number = Date.now): RateLimitBackend & { size(): number } {
  const counters = new Map<string, Counter>();
  let nextSweep = 0;

  function sweep(at: number): void {
    for (const [key, counter] of counters) if (counter.expiresAt <= at) counters.delete(key);
  }

  function current(key: string, at: number): Counter | undefined {
    const counter = counters.get(key);
    if (counter !== undefined && counter.expiresAt <= at) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  }

  return {
    hit(specs: readonly CounterSpec[]): Promise<CounterOutcome> {
      const at = now();
      if (at >= nextSweep) {
        sweep(at);
        nextSweep = at + 10_000;
      }
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i] as CounterSpec;
        const count = current(spec.key, at)?.count ?? 0;
        if (count >= spec.limit) return Promise.resolve({ allowed: false, index: i, count });
      }
      const counts = specs.map((spec) => {
        let counter = current(spec.key, at);
        if (counter === undefined) {
          counter = { count: 0, expiresAt: at + spec.ttlMs };
          counters.set(spec.key, counter);
        }
        return ++counter.count;
      });
      return Promise.resolve({ allowed: true, counts });
    },
    size: () => counters.size,
  };
}
