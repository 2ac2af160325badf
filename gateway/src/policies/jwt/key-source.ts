// Where a provider's keys come from, kept across config versions (a config push does not refetch them): an
// inline set, or a JWKS URL fetched by the gateway with DESIGN §10's limits. A JWKS source serves its last good
// set up to 24 h after it was fetched while the IdP fails; past freshness it refreshes in the background (one
// request however many verifications ask); an unknown `kid` may cause one refetch per 30 s; a failed fetch is
// retried no sooner than 30 s later. Everything a request waits on is one shared promise: nothing blocks.
import { readJwks, type PublicKey } from './jwk.js';
import { fetchJwks, keySetTtlSeconds, type JwksFetchFailure, type JwksFetchOptions } from './jwks-fetch.js';

export const REFETCH_INTERVAL_MS = 30_000;
export const STALE_KEY_SET_LIMIT_MS = 24 * 60 * 60 * 1000;

export interface KeySet {
  readonly keys: readonly PublicKey[];
  /** Changes whenever the keys change; a verified token remembers the generation it was verified under. */
  readonly generation: number;
}

export interface KeySource {
  /** The usable keys now, or undefined (not fetched yet, or the last good set is older than 24 h). */
  current(nowMs: number): KeySet | undefined;
  /** Waits for keys when there are none: joins a fetch under way or starts one unless one failed < 30 s ago. */
  load(nowMs: number): Promise<KeySet | undefined>;
  /** A token names a kid the set lacks: refetch at most once per 30 s; resolves to the (new) set. */
  refetchForUnknownKid(nowMs: number): Promise<KeySet | undefined>;
}

export function staticKeySource(keys: readonly PublicKey[]): KeySource {
  const set: KeySet = { keys, generation: 0 };
  return { current: () => set, load: () => Promise.resolve(set), refetchForUnknownKid: () => Promise.resolve(set) };
}

export type JwksFailureClass = JwksFetchFailure | 'bad_key_set';

export interface JwksSourceOptions extends JwksFetchOptions {
  uri: string;
  /** A fetch failed: logged by class (never the body). */
  onFailure?: (uri: string, failure: JwksFailureClass) => void;
  /** Milliseconds since the epoch. */
  now: () => number;
}

function fingerprint(keys: readonly PublicKey[]): string {
  return keys.map((key) => `${key.kid ?? ''}|${key.alg ?? ''}|${JSON.stringify(key.key.export({ format: 'jwk' }))}`).join('\n');
}

export class JwksKeySource implements KeySource {
  private set: KeySet | undefined;
  private setPrint = '';
  private fetchedAt = 0;
  private freshUntil = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<KeySet | undefined> | undefined;
  private generation = 0;
  /** How many fetches this source has started (tests and metrics). */
  fetches = 0;

  constructor(private readonly options: JwksSourceOptions) {}

  current(nowMs: number): KeySet | undefined {
    if (this.set === undefined) return undefined;
    if (nowMs >= this.freshUntil) this.refreshInBackground(nowMs);
    return nowMs - this.fetchedAt <= STALE_KEY_SET_LIMIT_MS ? this.set : undefined;
  }

  load(nowMs: number): Promise<KeySet | undefined> {
    const usable = this.current(nowMs);
    if (usable !== undefined) return Promise.resolve(usable);
    if (this.inflight !== undefined) return this.inflight;
    if (nowMs - this.lastAttemptAt < REFETCH_INTERVAL_MS) return Promise.resolve(undefined);
    return this.fetch(nowMs);
  }

  refetchForUnknownKid(nowMs: number): Promise<KeySet | undefined> {
    if (this.inflight !== undefined) return this.inflight;
    if (nowMs - this.lastAttemptAt < REFETCH_INTERVAL_MS) return Promise.resolve(this.current(nowMs));
    return this.fetch(nowMs);
  }

  /** Starts the first fetch when a route using this source is compiled, so the first request rarely waits. */
  prefetch(): void {
    if (this.set === undefined && this.inflight === undefined) void this.load(this.options.now());
  }

  private refreshInBackground(nowMs: number): void {
    if (this.inflight !== undefined || nowMs - this.lastAttemptAt < REFETCH_INTERVAL_MS) return;
    void this.fetch(nowMs);
  }

  private fetch(nowMs: number): Promise<KeySet | undefined> {
    this.lastAttemptAt = nowMs;
    this.fetches++;
    const done = fetchJwks(this.options.uri, this.options)
      .then((result) => {
        if (!result.ok) return this.failed(result.failure);
        const read = readJwks(result.document);
        if (!read.ok) return this.failed('bad_key_set');
        const now = this.options.now();
        const print = fingerprint(read.keys);
        if (this.set === undefined || print !== this.setPrint) {
          this.generation++;
          this.set = { keys: read.keys, generation: this.generation };
          this.setPrint = print;
        }
        this.fetchedAt = now;
        this.freshUntil = now + keySetTtlSeconds(result.cacheControl) * 1000;
        return this.set;
      })
      .catch(() => this.failed('connect_failure'))
      .finally(() => {
        this.inflight = undefined;
      });
    this.inflight = done;
    return done;
  }

  private failed(failure: JwksFailureClass): KeySet | undefined {
    this.options.onFailure?.(this.options.uri, failure);
    return this.current(this.options.now());
  }
}

/** The JWKS sources of a gateway process, by URI, kept across config versions. */
export class JwksSources {
  private readonly sources = new Map<string, JwksKeySource>();

  constructor(private readonly defaults: Omit<JwksSourceOptions, 'uri' | 'allowHttp'>) {}

  source(uri: string, allowHttp: boolean): JwksKeySource {
    const key = `${allowHttp ? 'http' : 'https'} ${uri}`;
    let source = this.sources.get(key);
    if (source === undefined) {
      source = new JwksKeySource({ ...this.defaults, uri, allowHttp });
      this.sources.set(key, source);
    }
    return source;
  }

  /** Forgets the sources no provider of the newest config uses. */
  retain(used: ReadonlySet<JwksKeySource>): void {
    for (const [key, source] of this.sources) if (!used.has(source)) this.sources.delete(key);
  }
}
