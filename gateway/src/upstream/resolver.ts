// The default resolver of target host names: every address the system resolver returns (IPv4 and IPv6), behind
// one cache per process shared by every pool and config version, so a config push or many services naming the
// same host cost one lookup on the libuv threadpool, not one per target and pool.
import { lookup } from 'node:dns/promises';
import type { Resolver } from './service-pool.js';

/** How long a lookup's answer is reused: under the pools' re-resolution period, so each period sees a fresh answer. */
export const RESOLVE_CACHE_TTL_MS = 10_000;
/** Host names kept at most; past it the oldest answer is dropped (names come from the config, so this is a guard). */
export const MAX_CACHED_NAMES = 4_096;

interface CachedAnswer {
  readonly addresses: readonly string[];
  readonly at: number;
}

/**
 * `resolve` behind a cache: an answer younger than `ttlMs` is reused, and concurrent lookups of one name share
 * one in-flight lookup. Failures are not cached (the caller keeps its addresses and asks again next period).
 */
export function cachingResolver(resolve: Resolver, ttlMs = RESOLVE_CACHE_TTL_MS, now: () => number = Date.now, maxNames = MAX_CACHED_NAMES): Resolver {
  const answers = new Map<string, CachedAnswer>();
  const inFlight = new Map<string, Promise<readonly string[]>>();
  return (hostname) => {
    const cached = answers.get(hostname);
    if (cached !== undefined && now() - cached.at < ttlMs) return Promise.resolve(cached.addresses);
    const running = inFlight.get(hostname);
    if (running !== undefined) return running;
    const lookingUp = resolve(hostname).then(
      (addresses) => {
        inFlight.delete(hostname);
        answers.delete(hostname);
        if (answers.size >= maxNames) answers.delete(answers.keys().next().value as string);
        answers.set(hostname, { addresses, at: now() });
        return addresses;
      },
      (error: unknown) => {
        inFlight.delete(hostname);
        throw error;
      },
    );
    inFlight.set(hostname, lookingUp);
    return lookingUp;
  };
}

const lookupAll: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export const systemResolver: Resolver = cachingResolver(lookupAll);
