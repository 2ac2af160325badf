// Token buckets for what gateways send the hub: message units per connection and per tenant (a message costs one
// unit plus one per 4 KiB, roughly what parsing it costs; a sender over its rate waits, so nothing a gateway says
// is lost, only slowed, and TCP slows the sender), and log entries per connection and per tenant
// (entries over the rate are dropped: telemetry is best effort, a flood must not become rows).

export interface RateRule {
  perSecond: number;
  burst: number;
}

/** A token bucket on an injected clock; `now` is in milliseconds. */
export interface TokenBucket {
  /** Takes up to `wanted` tokens and answers how many it got (0 when empty). */
  take(wanted: number, now: number): number;
  /** Takes `count` tokens even into debt, and answers how long the caller must wait for the debt to clear. */
  reserve(count: number, now: number): number;
  /** True when the bucket is full, so forgetting it changes nothing. */
  full(now: number): boolean;
}

export function createTokenBucket(rule: RateRule, now: number): TokenBucket {
  let tokens = rule.burst;
  let at = now;
  const refill = (time: number) => {
    if (time > at) {
      tokens = Math.min(rule.burst, tokens + ((time - at) / 1000) * rule.perSecond);
      at = time;
    }
  };
  return {
    take(wanted, time) {
      refill(time);
      const granted = Math.max(0, Math.min(wanted, Math.floor(tokens)));
      tokens -= granted;
      return granted;
    },
    reserve(count, time) {
      refill(time);
      tokens -= count;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / rule.perSecond) * 1000);
    },
    full(time) {
      refill(time);
      return tokens >= rule.burst;
    },
  };
}

export interface MessageRateRules {
  connectionMessages: RateRule;
  tenantMessages: RateRule;
  connectionLogEntries: RateRule;
  tenantLogEntries: RateRule;
}

export const DEFAULT_MESSAGE_RATES: MessageRateRules = {
  // A gateway flushes telemetry once a second, one message per 500 entries (~75 KiB, 19 units); acks and nacks
  // are rare. 1,000 units/s is ~4 MiB/s of logs (50 full batches, five times what a gateway at 10k requests a
  // second sends) or 1,000 acks a second per connection.
  connectionMessages: { perSecond: 1_000, burst: 2_000 },
  tenantMessages: { perSecond: 2_000, burst: 4_000 },
  connectionLogEntries: { perSecond: 5_000, burst: 20_000 },
  tenantLogEntries: { perSecond: 10_000, burst: 40_000 },
};

/** What a message costs against the message rates: one unit, plus one per 4 KiB. */
export function messageUnits(bytes: number): number {
  return 1 + Math.floor(bytes / 4096);
}

export interface LogEntryGrant {
  granted: number;
  droppedByConnection: number;
  droppedByTenant: number;
}

export interface ConnectionRates {
  /** Counts one message of `bytes`; answers how many milliseconds to wait before handling it (0 = now). */
  messageDelayMs(bytes: number): number;
  /** How many of `count` log entries may be stored; the rest are dropped. */
  logEntries(count: number): LogEntryGrant;
  /** Lets go of this connection's share of the tenant state. */
  release(): void;
}

export interface MessageRates {
  connection(tenantId: string): ConnectionRates;
}

interface TenantBuckets {
  messages: TokenBucket;
  entries: TokenBucket;
  connections: number;
}

export function createMessageRates(rules: MessageRateRules = DEFAULT_MESSAGE_RATES, clock: () => number = Date.now): MessageRates {
  // Per-tenant buckets live as long as the tenant has a connection on this replica: one entry per served tenant.
  const tenants = new Map<string, TenantBuckets>();
  return {
    connection(tenantId) {
      const now = clock();
      let tenant = tenants.get(tenantId);
      if (tenant === undefined) {
        tenant = { messages: createTokenBucket(rules.tenantMessages, now), entries: createTokenBucket(rules.tenantLogEntries, now), connections: 0 };
        tenants.set(tenantId, tenant);
      }
      tenant.connections += 1;
      const shared = tenant;
      const messages = createTokenBucket(rules.connectionMessages, now);
      const entries = createTokenBucket(rules.connectionLogEntries, now);
      let released = false;
      return {
        messageDelayMs(bytes) {
          const time = clock();
          const units = messageUnits(bytes);
          return Math.max(messages.reserve(units, time), shared.messages.reserve(units, time));
        },
        logEntries(count) {
          const time = clock();
          const byConnection = entries.take(count, time);
          const granted = shared.entries.take(byConnection, time);
          return { granted, droppedByConnection: count - byConnection, droppedByTenant: byConnection - granted };
        },
        release() {
          if (released) return;
          released = true;
          shared.connections -= 1;
          if (shared.connections === 0 && tenants.get(tenantId) === shared) tenants.delete(tenantId);
        },
      };
    },
  };
}
