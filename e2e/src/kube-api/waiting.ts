// Event-driven waits for tests: until an object satisfies a predicate, or until a client watches a resource.
// No polling; each wait is bounded by a timeout and rejects with what it was waiting for.
import type { KubeApi } from './api.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-types.js';

/** Resolves with the object once `predicate` holds for it (now or after a change); `undefined` means it does not exist. */
export function waitForObject(
  api: KubeApi,
  type: ResourceType,
  namespace: string,
  name: string,
  predicate: (object: KubeObject | undefined) => boolean,
  timeoutMs: number,
): Promise<KubeObject | undefined> {
  return new Promise((resolve, reject) => {
    let stop: () => void = () => undefined;
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      action();
    };
    const check = (object: KubeObject | undefined): void => {
      if (predicate(object)) settle(() => resolve(object));
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${type.plural} ${namespace === '' ? '' : `${namespace}/`}${name}`))), timeoutMs);
    const watchFrom = String(api.store.revision);
    let current: KubeObject | undefined;
    try {
      current = api.get(type, namespace, name);
    } catch {
      current = undefined;
    }
    check(current);
    if (settled) return;
    stop = api.watch(type, namespace, { fieldSelector: `metadata.name=${name}`, resourceVersion: watchFrom }, {
      event: (eventType, object) => check(eventType === 'DELETED' ? undefined : object),
      close: () => settle(() => reject(new Error(`the watch on ${type.plural} ${name} was closed (compaction or server stop) while waiting`))),
    });
  });
}

/** Resolves once at least one watch is open on the storage key (`novagate.dev/tenants`). */
export async function waitForWatch(openWatches: () => number, onWatchOpened: (listener: () => void) => () => void, what: string, timeoutMs: number): Promise<void> {
  if (openWatches() > 0) return;
  await new Promise<void>((resolve, reject) => {
    const unsubscribe = onWatchOpened(() => {
      if (openWatches() === 0) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a watch on ${what}`));
    }, timeoutMs);
  });
}
