// In-memory object storage: one global resourceVersion counter, an event history for watches, compaction.
import { gone, ApiError } from './errors.js';
import { clone, type KubeObject } from './object.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: EventType;
  resourceVersion: number;
  storageKey: string;
  namespace: string;
  name: string;
  object: KubeObject;
  /** The object before this event, to roll a snapshot back and to tell selector transitions. */
  previous: KubeObject | undefined;
}

export interface StoreWatch {
  storageKey: string;
  /** Empty for every namespace. */
  namespace: string;
  onEvent(event: StoredEvent): void;
  /** Called once when the store drops the watch (compaction or server stop). */
  onClose(): void;
}

function objectKey(storageKey: string, namespace: string, name: string): string {
  return `${storageKey}|${namespace}|${name}`;
}

/** Every write gets the next resourceVersion; events are kept until `compact()` so watches can resume. */
export class Store {
  #revision: number;
  #compactedRevision: number;
  readonly #objects = new Map<string, KubeObject>();
  #history: StoredEvent[] = [];
  readonly #watches = new Set<StoreWatch>();

  constructor(firstRevision = 1) {
    this.#revision = firstRevision;
    this.#compactedRevision = firstRevision;
  }

  get revision(): number {
    return this.#revision;
  }

  /** Watches and lists from below this revision are answered 410 Gone. */
  get compactedRevision(): number {
    return this.#compactedRevision;
  }

  get(storageKey: string, namespace: string, name: string): KubeObject | undefined {
    const found = this.#objects.get(objectKey(storageKey, namespace, name));
    return found && clone(found);
  }

  /** Current objects of a type (one namespace, or all when empty), sorted by namespace then name. */
  list(storageKey: string, namespace: string): KubeObject[] {
    return this.#sorted(this.#select(storageKey, namespace));
  }

  /** Every object of every type, for garbage collection and namespace cleanup. Not copies: read them, never change them. */
  entries(): Array<{ storageKey: string; object: Readonly<KubeObject> }> {
    return [...this.#objects.entries()].map(([key, object]) => ({ storageKey: key.slice(0, key.indexOf('|')), object }));
  }

  /** The objects as they were at `revision`, rolled back through the history; 410 when it was compacted. */
  listAt(storageKey: string, namespace: string, revision: number): KubeObject[] {
    if (revision < this.#compactedRevision) throw gone(`too old resource version: ${revision} (${this.#compactedRevision})`);
    if (revision > this.#revision) throw new ApiError(504, 'Timeout', `Too large resource version: ${revision}, current: ${this.#revision}`);
    const state = new Map<string, KubeObject>();
    for (const object of this.#select(storageKey, namespace)) {
      state.set(`${object.metadata.namespace ?? ''}|${object.metadata.name ?? ''}`, object);
    }
    for (let i = this.#history.length - 1; i >= 0; i -= 1) {
      const event = this.#history[i];
      if (!event || event.resourceVersion <= revision) break;
      if (event.storageKey !== storageKey || (namespace !== '' && event.namespace !== namespace)) continue;
      const key = `${event.namespace}|${event.name}`;
      if (event.previous) state.set(key, event.previous);
      else state.delete(key);
    }
    return this.#sorted(state.values());
  }

  /** Writes (or with `undefined`, removes) an object, stamping the next resourceVersion, and notifies watches. */
  commit(storageKey: string, type: EventType, object: KubeObject): KubeObject {
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name ?? '';
    const key = objectKey(storageKey, namespace, name);
    const previous = this.#objects.get(key);
    this.#revision += 1;
    const stored = clone(object);
    stored.metadata.resourceVersion = String(this.#revision);
    if (type === 'DELETED') this.#objects.delete(key);
    else this.#objects.set(key, stored);
    const event: StoredEvent = { type, resourceVersion: this.#revision, storageKey, namespace, name, object: stored, previous };
    this.#history.push(event);
    for (const watch of [...this.#watches]) {
      if (watch.storageKey === storageKey && (watch.namespace === '' || watch.namespace === namespace)) watch.onEvent(event);
    }
    return clone(stored);
  }

  /**
   * Starts a watch that first receives every event after `fromRevision` still in history.
   * 410 Gone when `fromRevision` is older than the compacted revision.
   */
  watch(watch: StoreWatch, fromRevision: number): () => void {
    if (fromRevision < this.#compactedRevision) {
      throw gone(`too old resource version: ${fromRevision} (${this.#compactedRevision})`);
    }
    for (const event of this.#history) {
      if (event.resourceVersion <= fromRevision) continue;
      if (event.storageKey === watch.storageKey && (watch.namespace === '' || watch.namespace === event.namespace)) watch.onEvent(event);
    }
    this.#watches.add(watch);
    return () => {
      this.#watches.delete(watch);
    };
  }

  get openWatches(): number {
    return this.#watches.size;
  }

  /** Open watches on one storage key (`novagate.dev/tenants`, `/secrets`). */
  openWatchesOf(storageKey: string): number {
    return [...this.#watches].filter((w) => w.storageKey === storageKey).length;
  }

  /** Forgets all history up to now and closes every open watch: clients must relist (their old resourceVersions get 410). */
  compact(): void {
    // The compaction takes a revision of its own, so every resourceVersion a client holds is now too old.
    this.#revision += 1;
    this.#history = [];
    this.#compactedRevision = this.#revision;
    this.closeWatches();
  }

  /** Closes every open watch without forgetting history: clients resume from their last resourceVersion. */
  closeWatches(): void {
    const watches = [...this.#watches];
    this.#watches.clear();
    for (const watch of watches) watch.onClose();
  }

  #select(storageKey: string, namespace: string): KubeObject[] {
    const selected: KubeObject[] = [];
    for (const [key, object] of this.#objects) {
      if (!key.startsWith(`${storageKey}|`)) continue;
      if (namespace !== '' && (object.metadata.namespace ?? '') !== namespace) continue;
      selected.push(object);
    }
    return selected;
  }

  #sorted(objects: Iterable<KubeObject>): KubeObject[] {
    const sortKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    return [...objects].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0)).map((o) => clone(o));
  }
}
