// Single flight per key with one follow-up run: callers arriving while a run is in flight share the next run,
// so a burst of 100 Route reconciles of one tenant costs a handful of config syncs, not 100.

export class Coalescer<R> {
  private readonly entries = new Map<string, { tail: Promise<void>; queued: Promise<R> | null }>();

  run(key: string, work: () => Promise<R>): Promise<R> {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      const current = work();
      const fresh = { tail: current.then(settle, settle), queued: null as Promise<R> | null };
      this.entries.set(key, fresh);
      this.forgetWhenIdle(key, fresh);
      return current;
    }
    if (entry.queued !== null) return entry.queued;
    const queued = entry.tail.then(() => {
      entry.queued = null;
      return work();
    });
    entry.queued = queued;
    entry.tail = queued.then(settle, settle);
    this.forgetWhenIdle(key, entry);
    return queued;
  }

  private forgetWhenIdle(key: string, entry: { tail: Promise<void>; queued: Promise<R> | null }): void {
    const tail = entry.tail;
    void tail.then(() => {
      if (this.entries.get(key) === entry && entry.queued === null && entry.tail === tail) this.entries.delete(key);
    });
  }
}

const settle = (): void => undefined;
