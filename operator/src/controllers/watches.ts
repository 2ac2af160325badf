// The watch pieces several controllers share: an object's own changes (not its status writes), and a Secret
// event that changed the Secret's data.
import type { KubeObject, SecretResource } from '../kube/resources.js';
import { objectKey } from '../kube/watch.js';
import type { ObjectEvent, WatchOf } from './controller.js';

/** Whether an event is worth a reconcile of the object itself: not for its own status writes. */
export function specOrLifecycleChanged({ type, object, previous }: ObjectEvent<KubeObject>): boolean {
  if (type !== 'MODIFIED' || previous === undefined) return true;
  const now = object.metadata;
  const before = previous.metadata;
  return (
    now.generation !== before.generation ||
    now.deletionTimestamp !== before.deletionTimestamp ||
    JSON.stringify(now.finalizers ?? []) !== JSON.stringify(before.finalizers ?? []) ||
    now.uid !== before.uid
  );
}

/** Whether a Secret event may change what its readers see: not a MODIFIED that left `data` as it was. */
export function secretDataChanged({ type, object, previous }: ObjectEvent<SecretResource>): boolean {
  return !(type === 'MODIFIED' && previous !== undefined && JSON.stringify(previous.data ?? {}) === JSON.stringify(object.data ?? {}));
}

/** The controller's own objects (controller-runtime's `For`): the changed object, unless only its status moved. */
export function ownObjects<S extends 'tenants' | 'routes' | 'consumers'>(source: S): WatchOf<S> {
  return { source, when: specOrLifecycleChanged, keys: ({ object }) => [objectKey(object)] };
}
