// One service's targets as the hot path uses them: every configured target, each of its host name's
// addresses a target entry of its own (re-resolved on a schedule), the connections to each address, the
// balancer that picks one per attempt, passive and active health, and the circuit breaker. A pool lives for
// one config version; the next version's pool for the same service carries over health and addresses, and
// takes over connections whose settings did not change.
import type { ServiceConfig } from '../config/index.js';
import { noHealthyUpstream, upstreamOverloaded, type GatewayError } from '../errors.js';
import { isIP } from 'node:net';
import { pickLeastRequest, pickRendezvous, pickRoundRobin, type BalancedEntry } from './balancer.js';
import { hashKey, mix } from './hash.js';
import { hashKeyOf, type HashOn, type PickContext } from './hash-key.js';
import { TargetHealth, ejectionEnded, passiveFailure, passiveSuccess, probeResult, type ActiveRules, type PassiveRules } from './health.js';
import { probeTarget } from './probe.js';
import { TargetConnection, connectionKey, type ConnectionSpec } from './target-connection.js';
import type { UpstreamTlsOptions } from './upstream-tls.js';

/** Every address of a host name, in a stable order; rejects when the name does not resolve. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

/** How often host names are resolved again. */
export const RESOLVE_EVERY_MS = 30_000;
/** At most this many addresses of one host name become targets. */
export const MAX_ADDRESSES_PER_NAME = 32;

/** How an attempt ended, for passive health: a status, or the failure's cause class (proxy/upstream-cause.ts). */
export type AttemptOutcome = number | string;

/**
 * Causes that say the target itself is unreachable, broke the connection, or did not answer within the try's
 * timeout (a hung target must be ejected too, as Envoy counts per-try timeouts).
 */
const TARGET_FAILURES: ReadonlySet<string> = new Set(['connection_refused', 'dns_failure', 'tls_error', 'connect_timeout', 'timeout', 'reset', 'unreachable']);

export interface TargetState {
  /** host:port as configured (bounded by the config). */
  readonly target: string;
  readonly healthy: boolean;
}

/** A configured target. */
interface ConfiguredTarget {
  readonly url: URL;
  /** host:port from the config, the port made explicit. */
  readonly label: string;
  readonly weight: number;
  readonly basePath: string;
  /** The host name without IPv6 brackets. */
  readonly hostname: string;
  readonly port: string;
  /** An IP literal is never resolved. */
  readonly literal: boolean;
}

/** One address of one configured target: what the balancer chooses from. */
export class UpstreamTarget implements BalancedEntry {
  currentWeight = 0;
  inFlight = 0;
  available = true;
  readonly seed: number;
  readonly health = new TargetHealth();
  probeTimer: NodeJS.Timeout | undefined;
  probing = false;
  /** Replaced by a re-resolution or released with its pool: its outcomes no longer count. */
  retired = false;
  ejectionTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Identity across config versions: configured URL (path included, numbered when listed twice) and address. */
    readonly id: string,
    readonly label: string,
    readonly weight: number,
    /** The target URL's path without trailing '/', '' for the root. */
    readonly basePath: string,
    /** The Host header (and :authority) to send: the configured host:port. */
    readonly authority: string,
    /** Set when the connection goes to a resolved address rather than the configured name. */
    readonly hostHeader: string | undefined,
    readonly connection: TargetConnection,
  ) {
    this.seed = hashKey(`${label}|${id}`);
  }
}

export interface ServicePoolOptions {
  readonly service: ServiceConfig;
  /** Connect options for https:// targets; undefined for http://. */
  readonly tls: UpstreamTlsOptions | undefined;
  /** The same service's pool in the config being replaced: health, addresses and connections carry over. */
  readonly previous?: ServicePool | undefined;
  /** Connections of the config being replaced, by key: an unchanged target keeps its connections. */
  readonly connections?: ReadonlyMap<string, TargetConnection>;
  readonly resolver: Resolver;
  readonly resolveEveryMs?: number;
  /** A target's health changed, or targets came or went. */
  readonly onHealthChange?: () => void;
  readonly random?: () => number;
  /** ms, monotonic enough for ejection bookkeeping. */
  readonly now?: () => number;
}

function configuredTargets(service: ServiceConfig): ConfiguredTarget[] {
  const listed = service.targets ?? (service.url === undefined ? [] : [{ url: service.url, weight: 1 }]);
  return listed.map(({ url: text, weight }) => {
    const url = new URL(text);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return {
      url,
      label: `${url.hostname}:${port}`,
      weight,
      basePath: url.pathname.replace(/\/+$/, ''),
      hostname,
      port,
      literal: isIP(hostname) !== 0,
    };
  });
}

function originOf(target: ConfiguredTarget, address: string): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `${target.url.protocol}//${host}:${target.port}`;
}

export class ServicePool {
  readonly name: string;
  private readonly targets: ConfiguredTarget[];
  private entries: UpstreamTarget[] = [];
  /** Addresses in use per configured target index (the host name itself until it is resolved). */
  private addresses: (readonly string[])[];
  private readonly algorithm: 'round-robin' | 'least-request' | 'consistent-hash';
  private readonly hashOn: HashOn | undefined;
  private readonly passive: PassiveRules | undefined;
  private readonly active: (ActiveRules & { path: string; intervalMs: number; timeoutMs: number }) | undefined;
  /** Requests in flight past which the circuit breaker answers 503; Infinity without one. */
  private readonly maxInFlight: number;
  private readonly connectionsPerTarget: number | null;
  /** Requests of this service in flight on this process, shared with the service's pools of earlier and later config versions. */
  private readonly load: { inFlight: number };
  private released = false;
  /** The same service's pool in the config that replaced this one: a released pool hands its picks over. */
  private successor: ServicePool | undefined;
  private resolveTimer: NodeJS.Timeout | undefined;
  /** When the host names were last resolved (ms, the pool's clock); 0 before the first answer. */
  private resolvedAt = 0;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Settles once every host name was resolved once (or failed to). */
  readonly resolved: Promise<void>;

  constructor(private readonly options: ServicePoolOptions) {
    const { service } = options;
    this.name = service.name;
    this.targets = configuredTargets(service);
    this.algorithm = service.loadBalancing?.algorithm ?? 'round-robin';
    this.hashOn = service.loadBalancing?.hashOn;
    this.passive = service.healthChecks?.passive;
    this.active = service.healthChecks?.active;
    const breaker = service.circuitBreaker;
    this.maxInFlight = breaker === undefined ? Infinity : breaker.maxConnections + breaker.maxPendingRequests;
    this.connectionsPerTarget = breaker === undefined ? null : Math.max(1, Math.floor(breaker.maxConnections / Math.max(1, this.targets.length)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    const previous = options.previous;
    this.load = previous?.load ?? { inFlight: 0 };
    this.addresses = this.targets.map((target) => (target.literal ? [target.hostname] : (previous?.addressesOf(target.url.origin) ?? [target.hostname])));
    this.entries = this.buildEntries(previous?.entries ?? [], options.connections);
    for (const entry of this.entries) this.startProbing(entry);
    const names = this.targets.some((target) => !target.literal);
    const every = options.resolveEveryMs ?? RESOLVE_EVERY_MS;
    // The previous version's answers are used as they are while fresh: a config push resolves nothing at once.
    const fresh =
      previous !== undefined &&
      previous.resolvedAt > 0 &&
      this.now() - previous.resolvedAt < every &&
      this.targets.every((target) => target.literal || previous.addressesOf(target.url.origin) !== undefined);
    if (!names) this.resolved = Promise.resolve();
    else if (fresh) {
      this.resolvedAt = previous.resolvedAt;
      this.resolved = Promise.resolve();
      this.scheduleResolve(every - (this.now() - previous.resolvedAt));
    } else this.resolved = this.resolveAndSchedule();
  }

  /** The next re-resolution starts `ms` after the previous one ended: two never overlap. */
  private scheduleResolve(ms: number): void {
    if (this.released) return;
    this.resolveTimer = setTimeout(() => void this.resolveAndSchedule(), Math.max(0, ms));
    this.resolveTimer.unref();
  }

  private async resolveAndSchedule(): Promise<void> {
    try {
      await this.resolveAll();
    } finally {
      this.scheduleResolve(this.options.resolveEveryMs ?? RESOLVE_EVERY_MS);
    }
  }

  /** The target entries in use now (tests, the health snapshot). */
  current(): readonly UpstreamTarget[] {
    return this.entries;
  }

  /** Every connection this pool holds, for the next config version to take over. */
  connections(): Iterable<TargetConnection> {
    return this.entries.map((entry) => entry.connection);
  }

  private addressesOf(origin: string): readonly string[] | undefined {
    const index = this.targets.findIndex((target) => target.url.origin === origin);
    return index < 0 ? undefined : this.addresses[index];
  }

  /**
   * A target for one attempt, counted in flight until `finish`; or the 503 to answer. `exclude` (the target
   * whose attempt just failed) is avoided when any other target may take the request.
   */
  pick(context: PickContext, exclude?: UpstreamTarget): UpstreamTarget | GatewayError {
    if (this.released) return this.handOver(context, exclude);
    if (this.load.inFlight >= this.maxInFlight) return upstreamOverloaded();
    let index = this.choose(context, exclude);
    if (index < 0 && exclude !== undefined) index = this.choose(context, undefined);
    if (index < 0) return noHealthyUpstream();
    const target = this.entries[index] as UpstreamTarget;
    target.inFlight++;
    this.load.inFlight++;
    return target;
  }

  /**
   * A retry (or a late first attempt) of an exchange that began under a config since replaced: its targets come
   * from the pool that took the service over, the failed target avoided by identity; a 503 when the service is gone.
   */
  private handOver(context: PickContext, exclude: UpstreamTarget | undefined): UpstreamTarget | GatewayError {
    const next = this.successor;
    if (next === undefined) return noHealthyUpstream();
    const carried = exclude === undefined ? undefined : next.entries.find((entry) => entry.id === exclude.id);
    return next.pick(context, carried);
  }

  private choose(context: PickContext, exclude: UpstreamTarget | undefined): number {
    const { entries } = this;
    if (this.algorithm === 'round-robin') return pickRoundRobin(entries, exclude);
    if (this.algorithm === 'least-request') return pickLeastRequest(entries, this.random, exclude);
    const key = hashKeyOf(this.hashOn as HashOn, context);
    return key === undefined ? pickRoundRobin(entries, exclude) : pickRendezvous(entries, hashKey(key), mix, exclude);
  }

  /** The attempt on `target` ended: no longer in flight, and its outcome counts for passive health. */
  finish(target: UpstreamTarget, outcome: AttemptOutcome | undefined): void {
    // The target may come from the successor (see handOver): the pool that owns it judges its health.
    if (this.released && this.successor !== undefined) return this.successor.finish(target, outcome);
    target.inFlight--;
    this.load.inFlight--;
    const rules = this.passive;
    if (rules === undefined || outcome === undefined || target.retired) return;
    const failed = typeof outcome === 'number' ? outcome === 502 || outcome === 503 || outcome === 504 : TARGET_FAILURES.has(outcome);
    if (!failed) {
      if (typeof outcome === 'number') passiveSuccess(target.health);
      return;
    }
    let ejectedNow = 0;
    for (const entry of this.entries) if (entry.health.ejected) ejectedNow++;
    const ejectFor = passiveFailure(target.health, rules, ejectedNow, this.entries.length, this.now());
    if (ejectFor === 0) return;
    this.setAvailability(target);
    this.scheduleReturn(target, ejectFor);
  }

  private setAvailability(target: UpstreamTarget): void {
    const available = target.health.healthy;
    if (target.available === available) return;
    target.available = available;
    if (!this.released) this.options.onHealthChange?.();
  }

  /** Health per configured target (host:port): healthy when any of its addresses is. */
  targetStates(): TargetState[] {
    const byLabel = new Map<string, boolean>();
    for (const target of this.targets) byLabel.set(target.label, false);
    for (const entry of this.entries) if (entry.available) byLabel.set(entry.label, true);
    return [...byLabel].map(([target, healthy]) => ({ target, healthy }));
  }

  /**
   * Stops probes and re-resolution and lets go of the connections (closed when no other pool holds them).
   * `successor`, the same service's pool in the config now in place, takes the picks of exchanges still running
   * (retries after a backoff); it must speak the same protocol, else those picks answer 503.
   */
  release(successor?: ServicePool): Promise<void> {
    if (this.released) return Promise.resolve();
    this.released = true;
    if (successor !== undefined && successor !== this && (successor.options.service.http2 === true) === (this.options.service.http2 === true)) this.successor = successor;
    clearTimeout(this.resolveTimer);
    const closing: Promise<void>[] = [];
    for (const entry of this.entries) {
      entry.retired = true;
      this.stopTimers(entry);
      closing.push(entry.connection.release());
    }
    return Promise.all(closing).then(() => undefined);
  }

  private stopTimers(entry: UpstreamTarget): void {
    clearInterval(entry.probeTimer);
    clearTimeout(entry.ejectionTimer);
    entry.probeTimer = undefined;
    entry.ejectionTimer = undefined;
  }

  /** Entries for the current addresses; health and connections come from `old` entries and `shared` connections. */
  private buildEntries(old: readonly UpstreamTarget[], shared: ReadonlyMap<string, TargetConnection> | undefined): UpstreamTarget[] {
    const { service, tls } = this.options;
    const oldById = new Map(old.map((entry) => [entry.id, entry]));
    const ownByKey = new Map(this.entries.map((entry) => [entry.connection.key, entry.connection]));
    const built: UpstreamTarget[] = [];
    const seen = new Map<string, number>();
    this.targets.forEach((target, index) => {
      // The full URL (path included) names the target; the same URL listed again gets its occurrence number.
      const occurrence = seen.get(target.url.href) ?? 0;
      seen.set(target.url.href, occurrence + 1);
      const name = occurrence === 0 ? target.url.href : `${target.url.href}#${occurrence}`;
      for (const address of this.addresses[index] as readonly string[]) {
        const spec: ConnectionSpec = {
          origin: originOf(target, address),
          servername: tls?.servername ?? (target.literal ? undefined : target.hostname),
          connectTimeoutMs: service.connectTimeoutMs,
          http2: service.http2 === true,
          connections: this.connectionsPerTarget,
          tls,
        };
        const key = connectionKey(spec);
        const reused = ownByKey.get(key) ?? shared?.get(key);
        const connection = reused !== undefined && !reused.released ? reused.acquire() : new TargetConnection(spec);
        const id = `${name}|${address}`;
        const entry = new UpstreamTarget(id, target.label, target.weight, target.basePath, target.url.host, address === target.hostname ? undefined : target.url.host, connection);
        const before = oldById.get(id);
        if (before !== undefined) {
          entry.health.copyFrom(before.health);
          entry.available = entry.health.healthy;
          // An ejection in progress keeps its end: a fresh timer for the rest would need the start; give it a full one.
          if (entry.health.ejected && this.passive !== undefined) this.scheduleReturn(entry, this.passive.ejectionMs);
          else if (entry.health.ejected) {
            entry.health.ejected = false;
            entry.available = entry.health.healthy;
          }
        }
        if (this.active === undefined && !entry.health.activeHealthy) {
          // Active checks were turned off: their verdict no longer applies.
          entry.health.activeHealthy = true;
          entry.available = entry.health.healthy;
        }
        built.push(entry);
      }
    });
    return built;
  }

  private scheduleReturn(entry: UpstreamTarget, ms: number): void {
    entry.ejectionTimer = setTimeout(() => {
      entry.ejectionTimer = undefined;
      ejectionEnded(entry.health, this.now());
      this.setAvailability(entry);
    }, ms);
    entry.ejectionTimer.unref();
  }

  private startProbing(entry: UpstreamTarget): void {
    const active = this.active;
    if (active === undefined) return;
    entry.probeTimer = setInterval(() => {
      if (entry.probing || this.released) return;
      entry.probing = true;
      void probeTarget(entry, active.path, active.timeoutMs).then((ok) => {
        entry.probing = false;
        if (entry.retired) return;
        if (probeResult(entry.health, active, ok)) this.setAvailability(entry);
      });
    }, active.intervalMs);
    entry.probeTimer.unref();
  }

  private async resolveAll(): Promise<void> {
    const next = await Promise.all(
      this.targets.map(async (target, index) => {
        if (target.literal) return [target.hostname];
        try {
          const found = [...new Set(await this.options.resolver(target.hostname))].sort().slice(0, MAX_ADDRESSES_PER_NAME);
          return found.length === 0 ? (this.addresses[index] as readonly string[]) : found;
        } catch {
          // A failed lookup keeps the addresses in use: a DNS hiccup must not take targets away.
          return this.addresses[index] as readonly string[];
        }
      }),
    );
    if (this.released) return;
    this.resolvedAt = this.now();
    const same = next.every((addresses, index) => addresses.join(',') === (this.addresses[index] as readonly string[]).join(','));
    if (same) return;
    this.addresses = next;
    const old = this.entries;
    this.entries = this.buildEntries(old, undefined);
    for (const entry of old) {
      entry.retired = true;
      this.stopTimers(entry);
    }
    for (const entry of this.entries) this.startProbing(entry);
    for (const entry of old) void entry.connection.release();
    this.options.onHealthChange?.();
  }
}
