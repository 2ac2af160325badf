// A per-tenant bound on concurrent database work, so one tenant's burst cannot take every pooled connection
// (issue 12, item 6). Each tenant may run a few pieces of work at once, with a short queue behind them; past
// the queue the work is refused at once (429), and work that waited too long gives up (503): both answer
// with Retry-After, neither holds a connection while it waits. A tenant's writers also take turns here, two at
// a time, before taking a connection: they would only wait for the tenant row's lock on one anyway. One holds
// the lock and the next waits on it, ready the moment it is released (a handoff inside the process would add
// round trips to every queued write); the rest wait here, so a replica has at most one connection per tenant
// waiting on that lock (two when another replica holds it).

export interface TenantGateLimits {
  /** Pieces of work one tenant runs at once. */
  running: number;
  /** Pieces of work one tenant may have waiting for a slot; more are refused. */
  queued: number;
  /** Writers of one tenant that may hold a slot at once (the rest wait for a writer turn without one). */
  writers: number;
  /** Writers one tenant may have waiting for its writer turn; more are refused. */
  queuedWriters: number;
  /** How long a piece of work waits for its turn before it gives up. */
  maxWaitMs: number;
}

/** Limits for a pool of `poolMax` connections: a quarter of the pool per tenant, at least 2. */
export function tenantGateLimits(poolMax: number): TenantGateLimits {
  const running = Math.max(2, Math.floor(poolMax / 4));
  return { running, queued: running * 4, writers: 2, queuedWriters: 16, maxWaitMs: 2_000 };
}

/** Thrown when a tenant's queue is full (`busy`) or its wait ran out (`timeout`). */
export class TenantBusyError extends Error {
  constructor(
    readonly reason: 'busy' | 'timeout',
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'busy' ? 'too much concurrent work for this tenant' : 'timed out waiting for this tenant\'s earlier work');
    this.name = 'TenantBusyError';
  }
}

// One instance per reason: a refused storm makes thousands a second, and a new Error captures a stack each time.
const BUSY = new TenantBusyError('busy', 1);
const TIMED_OUT = new TenantBusyError('timeout', 1);

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

/** A counting semaphore with a bounded queue and a bounded wait. */
class Semaphore {
  private running = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly capacity: number,
    private readonly maxQueued: number,
    private readonly maxWaitMs: number,
  ) {}

  get idle(): boolean {
    return this.running === 0 && this.waiters.length === 0;
  }

  acquire(): Promise<void> {
    if (this.running < this.capacity) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.maxQueued) return Promise.reject(BUSY);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(TIMED_OUT);
        }, this.maxWaitMs),
      };
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter: running stays the same.
    if (next !== undefined) next.grant();
    else this.running -= 1;
  }
}

interface TenantState {
  slots: Semaphore;
  writers: Semaphore;
}

export interface TenantGate {
  /** Runs `work` once the tenant has a free slot (and, for a writer, its writer turn). */
  run<T>(tenantId: string, kind: 'read' | 'write', work: () => Promise<T>): Promise<T>;
  /** Tenants with work running or waiting (for tests and metrics). */
  readonly activeTenants: number;
}

export function createTenantGate(limits: TenantGateLimits): TenantGate {
  const tenants = new Map<string, TenantState>();
  const stateOf = (tenantId: string): TenantState => {
    let state = tenants.get(tenantId);
    if (state === undefined) {
      state = {
        slots: new Semaphore(limits.running, limits.queued, limits.maxWaitMs),
        writers: new Semaphore(limits.writers, limits.queuedWriters, limits.maxWaitMs),
      };
      tenants.set(tenantId, state);
    }
    return state;
  };
  // Idle tenants are forgotten, so the map holds only tenants with work in flight.
  const forgetIfIdle = (tenantId: string, state: TenantState) => {
    if (state.slots.idle && state.writers.idle) tenants.delete(tenantId);
  };
  return {
    async run(tenantId, kind, work) {
      const state = stateOf(tenantId);
      try {
        if (kind === 'write') await state.writers.acquire();
        try {
          await state.slots.acquire();
          try {
            return await work();
          } finally {
            state.slots.release();
          }
        } finally {
          if (kind === 'write') state.writers.release();
        }
      } finally {
        forgetIfIdle(tenantId, state);
      }
    },
    get activeTenants() {
      return tenants.size;
    },
  };
}
