// List+watch per kind (a reflector with its store): list, then watch from the list's resourceVersion with
// bookmarks; resume a closed watch from the last resourceVersion seen; relist on 410 Gone; and a watchdog that
// relists when a watch stays silent past its timeout (a half-open connection sends nothing, not even an error).
import type { KubeObject } from './resources.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchHandle {
  abort(): void;
}

/** Opens a watch; `onEvent` gets every event (BOOKMARK and ERROR too), `onDone` once when the watch ends. */
export type OpenWatch = (
  query: { resourceVersion: string; allowWatchBookmarks: true; timeoutSeconds: number },
  onEvent: (type: string, object: unknown) => void,
  onDone: (error: unknown) => void,
) => Promise<WatchHandle>;

export interface InformerOptions<T extends KubeObject> {
  kind: string;
  list: () => Promise<ListResult<T>>;
  watch: OpenWatch;
  /** Called for every change of the store, after the store is updated. */
  onChange: (type: WatchEventType, object: T, previous: T | undefined) => void;
  /** Asked of the server; it closes the watch after this long and the informer resumes it. */
  watchTimeoutSeconds?: number;
  /** No event (bookmarks count) for this long means the watch is dead: relist. */
  silenceTimeoutMs?: number;
  retryDelayMs?: (attempt: number) => number;
  onError?: (message: string, error: unknown) => void;
  /** Counts relists, for tests and logs. */
  onRelist?: (reason: string) => void;
}

export const objectKey = (object: KubeObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

function statusCodeOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { code?: unknown; statusCode?: unknown };
  if (typeof record.code === 'number') return record.code;
  if (typeof record.statusCode === 'number') return record.statusCode;
  return undefined;
}

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private resourceVersion = '';
  private handle: WatchHandle | null = null;
  /** Bumped for every watch opened; callbacks of an older watch are ignored. */
  private epoch = 0;
  private running = false;
  private lastEventAt = 0;
  private watchStartedAt = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private syncedResolve: () => void = () => undefined;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  private hasSynced = false;

  constructor(private readonly options: InformerOptions<T>) {
    this.synced = new Promise((resolve) => (this.syncedResolve = resolve));
  }

  get isSynced(): boolean {
    return this.hasSynced;
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const silence = this.options.silenceTimeoutMs ?? ((this.options.watchTimeoutSeconds ?? 300) + 30) * 1000;
    this.watchdog = setInterval(() => {
      if (this.handle !== null && Date.now() - this.lastEventAt > silence) {
        this.options.onRelist?.('watch silent past its timeout');
        this.relist();
      }
    }, Math.max(50, Math.min(silence / 4, 5_000)));
    this.watchdog.unref();
    this.relist();
  }

  stop(): void {
    this.running = false;
    this.epoch += 1;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.handle?.abort();
    this.handle = null;
  }

  private relist(): void {
    this.epoch += 1;
    this.handle?.abort();
    this.handle = null;
    void this.listAndWatch(this.epoch);
  }

  private scheduleRetry(epoch: number, action: () => void): void {
    this.attempts += 1;
    const delay = this.options.retryDelayMs?.(this.attempts) ?? Math.min(30_000, 200 * 2 ** Math.min(this.attempts, 8));
    this.retryTimer = setTimeout(() => {
      if (this.running && epoch === this.epoch) action();
    }, delay);
    this.retryTimer.unref();
  }

  private async listAndWatch(epoch: number): Promise<void> {
    let listed: ListResult<T>;
    try {
      listed = await this.options.list();
    } catch (error) {
      this.options.onError?.(`listing ${this.options.kind} failed`, error);
      if (epoch === this.epoch) this.scheduleRetry(epoch, () => this.relist());
      return;
    }
    if (!this.running || epoch !== this.epoch) return;
    this.replace(listed.items);
    this.resourceVersion = listed.resourceVersion;
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
    await this.openWatch(epoch);
  }

  /** Makes the store equal to a fresh list, reporting what changed (deletions missed while not watching too). */
  private replace(items: T[]): void {
    const fresh = new Map(items.map((item) => [objectKey(item), item]));
    for (const [key, old] of this.store) {
      if (!fresh.has(key)) {
        this.store.delete(key);
        this.options.onChange('DELETED', old, old);
      }
    }
    for (const [key, item] of fresh) {
      const previous = this.store.get(key);
      this.store.set(key, item);
      if (previous === undefined) this.options.onChange('ADDED', item, undefined);
      else if (previous.metadata.resourceVersion !== item.metadata.resourceVersion) this.options.onChange('MODIFIED', item, previous);
    }
  }

  private async openWatch(epoch: number): Promise<void> {
    this.lastEventAt = Date.now();
    this.watchStartedAt = Date.now();
    try {
      const handle = await this.options.watch(
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 },
        (type, object) => {
          if (epoch === this.epoch) this.handleEvent(type, object);
        },
        (error) => {
          if (epoch === this.epoch) this.handleDone(epoch, error);
        },
      );
      if (epoch === this.epoch && this.running) this.handle = handle;
      else handle.abort();
    } catch (error) {
      if (epoch === this.epoch) this.handleDone(epoch, error);
    }
  }

  private handleEvent(type: string, object: unknown): void {
    this.lastEventAt = Date.now();
    if (type === 'ERROR') {
      const code = statusCodeOf(object);
      this.options.onRelist?.(code === 410 ? 'resourceVersion expired (410 Gone)' : `watch error ${code ?? ''}`);
      this.relist();
      return;
    }
    const item = object as T;
    const resourceVersion = item?.metadata?.resourceVersion;
    if (typeof resourceVersion === 'string' && resourceVersion !== '') this.resourceVersion = resourceVersion;
    this.attempts = 0;
    if (type === 'BOOKMARK') return;
    const key = objectKey(item);
    const previous = this.store.get(key);
    if (type === 'DELETED') {
      this.store.delete(key);
      this.options.onChange('DELETED', item, previous);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      this.store.set(key, item);
      this.options.onChange(previous === undefined ? 'ADDED' : 'MODIFIED', item, previous);
    }
  }

  private handleDone(epoch: number, error: unknown): void {
    this.handle = null;
    if (!this.running) return;
    if (error === null || error === undefined) {
      // The server ended the watch (its timeout): resume from the last resourceVersion seen, at once unless
      // watches keep ending as soon as they start.
      if (Date.now() - this.watchStartedAt >= 1_000) void this.openWatch(epoch);
      else this.scheduleRetry(epoch, () => void this.openWatch(epoch));
      return;
    }
    if (statusCodeOf(error) === 410) {
      this.options.onRelist?.('resourceVersion expired (410 Gone)');
      this.relist();
      return;
    }
    this.options.onError?.(`watching ${this.options.kind} failed`, error);
    this.scheduleRetry(epoch, () => void this.openWatch(epoch));
  }
}
