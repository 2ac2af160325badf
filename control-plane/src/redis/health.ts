// Whether Redis is up, as its users see it: each command that fails makes its user fall back (per-replica
// memory for throttling, gateway_nodes for presence) and says so here. One warning line when Redis goes down,
// one when it is back, never one per request; `novagate_redis_up` (0/1, probed on scrape) and
// `novagate_redis_fallback_total{use}` (each operation served without Redis) make it visible.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'winston';

export type RedisUse = 'throttle' | 'presence';

export interface RedisHealth {
  /** A Redis command of `use` succeeded. */
  succeeded(): void;
  /** A Redis command of `use` failed: its caller falls back. */
  failed(use: RedisUse, error: unknown): void;
  /** Pings Redis now (readiness, metrics scrape); resolves true when it answered. */
  probe(): Promise<boolean>;
}

export interface RedisHealthOptions {
  logger: Logger;
  registry: Registry;
  ping(): Promise<unknown>;
}

export function createRedisHealth({ logger, registry, ping }: RedisHealthOptions): RedisHealth {
  let up = true;
  const fallbacks = new Counter({
    name: 'novagate_redis_fallback_total',
    help: 'Operations served without Redis because it failed: throttle (per-replica memory), presence (gateway_nodes)',
    labelNames: ['use'] as const,
    registers: [registry],
  });
  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const markUp = () => {
    if (up) return;
    up = true;
    logger.warn('redis is back: login throttling and gateway presence use it again');
  };
  const markDown = (error: unknown) => {
    if (!up) return;
    up = false;
    logger.warn('redis is unreachable: login throttling falls back to this replica’s memory, gateway presence to gateway_nodes', {
      error: describe(error),
    });
  };
  const health: RedisHealth = {
    succeeded: markUp,
    failed(use, error) {
      fallbacks.inc({ use });
      markDown(error);
    },
    async probe() {
      try {
        await ping();
        markUp();
        return true;
      } catch (error) {
        markDown(error);
        return false;
      }
    },
  };
  new Gauge({
    name: 'novagate_redis_up',
    help: '1 when Redis answered the last probe, 0 while its users fall back',
    registers: [registry],
    async collect() {
      this.set((await health.probe()) ? 1 : 0);
    },
  });
  return health;
}
