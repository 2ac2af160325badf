// The built-in controllers a test cluster needs: garbage collection, namespace and CRD clean-up, default service accounts.
// They run synchronously after every write until nothing changes, so tests observe a settled world.
import { ApiError } from './errors.js';
import type { KubeApi } from './api.js';
import type { KubeObject, OwnerReference } from './object.js';
import { storageKey, type ResourceType } from './resource-types.js';

const maxPasses = 50;

interface Entry {
  storageKey: string;
  object: KubeObject;
}

function ignoreNotFound(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
  }
}

function isDeleting(object: KubeObject, finalizer: string): boolean {
  return object.metadata.deletionTimestamp !== undefined && (object.metadata.finalizers ?? []).includes(finalizer);
}

function removeFinalizer(api: KubeApi, type: ResourceType, object: KubeObject, finalizer: string, manager: string): void {
  const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  ignoreNotFound(() => api.patch(type, object.metadata.namespace ?? '', object.metadata.name ?? '', 'merge', JSON.stringify({ metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } }), { manager }));
}

/** One pass of every controller; true when it changed something. */
function pass(api: KubeApi): boolean {
  const before = api.store.revision;
  const entries: Entry[] = api.store.entries();
  const byUid = new Map(entries.map((e) => [e.object.metadata.uid ?? '', e]));
  const typeOf = (key: string): ResourceType | undefined => api.typeOfStorage(key);

  // Garbage collection of dependents whose owners are gone, orphaned or deleted in the foreground.
  const dependentsOf = new Map<string, Entry[]>();
  for (const entry of entries) {
    const refs: OwnerReference[] = entry.object.metadata.ownerReferences ?? [];
    if (refs.length === 0) continue;
    for (const ref of refs) dependentsOf.set(ref.uid, [...(dependentsOf.get(ref.uid) ?? []), entry]);
    const type = typeOf(entry.storageKey);
    if (!type) continue;
    const { namespace = '', name = '' } = entry.object.metadata;
    const owners = refs.map((ref) => byUid.get(ref.uid)?.object);
    if (owners.every((owner) => owner === undefined)) {
      if (!entry.object.metadata.deletionTimestamp) ignoreNotFound(() => api.delete(type, namespace, name, { propagationPolicy: 'Background' }, 'garbage-collector'));
      continue;
    }
    const orphaning = refs.filter((ref, i) => owners[i] !== undefined && isDeleting(owners[i] as KubeObject, 'orphan'));
    if (orphaning.length > 0) {
      const kept = refs.filter((ref) => !orphaning.includes(ref));
      ignoreNotFound(() => api.patch(type, namespace, name, 'merge', JSON.stringify({ metadata: { ownerReferences: kept.length > 0 ? kept : null } }), { manager: 'garbage-collector' }));
      continue;
    }
    if (owners.some((owner) => owner !== undefined && isDeleting(owner, 'foregroundDeletion')) && !entry.object.metadata.deletionTimestamp) {
      ignoreNotFound(() => api.delete(type, namespace, name, { propagationPolicy: 'Foreground' }, 'garbage-collector'));
    }
  }
  for (const entry of entries) {
    const type = typeOf(entry.storageKey);
    if (!type || (dependentsOf.get(entry.object.metadata.uid ?? '') ?? []).length > 0) continue;
    for (const finalizer of ['orphan', 'foregroundDeletion']) {
      if (isDeleting(entry.object, finalizer)) removeFinalizer(api, type, entry.object, finalizer, 'garbage-collector');
    }
  }

  // Namespaces: a terminating one has its content deleted, then loses its "kubernetes" finalizer; an active one gets a default ServiceAccount.
  const namespaceType = api.types.find('', 'v1', 'namespaces');
  const serviceAccountType = api.types.find('', 'v1', 'serviceaccounts');
  for (const entry of entries.filter((e) => e.storageKey === '/namespaces')) {
    const name = entry.object.metadata.name ?? '';
    if (entry.object.metadata.deletionTimestamp && namespaceType) {
      const content = entries.filter((e) => e.storageKey !== '/namespaces' && e.object.metadata.namespace === name);
      for (const item of content) {
        const type = typeOf(item.storageKey);
        if (type && !item.object.metadata.deletionTimestamp) ignoreNotFound(() => api.delete(type, name, item.object.metadata.name ?? '', { propagationPolicy: 'Background' }, 'namespace-controller'));
      }
      if (content.length === 0) {
        ignoreNotFound(() => api.patch(namespaceType, '', name, 'merge', JSON.stringify({ spec: { finalizers: null } }), { manager: 'namespace-controller' }));
      }
    } else if (serviceAccountType && !entries.some((e) => e.storageKey === '/serviceaccounts' && e.object.metadata.namespace === name && e.object.metadata.name === 'default')) {
      ignoreNotFound(() => api.create(serviceAccountType, name, { metadata: { name: 'default' } }, { manager: 'kube-controller-manager' }));
    }
  }

  // CRDs being deleted: delete every instance first, then drop the clean-up finalizer.
  for (const entry of entries.filter((e) => e.storageKey === 'apiextensions.k8s.io/customresourcedefinitions')) {
    if (!isDeleting(entry.object, api.crdCleanupFinalizer)) continue;
    const crdName = entry.object.metadata.name ?? '';
    const served = api.types.all().find((t) => t.crdName === crdName);
    const instances = served ? entries.filter((e) => e.storageKey === storageKey(served)) : [];
    for (const item of instances) {
      if (served && !item.object.metadata.deletionTimestamp) ignoreNotFound(() => api.delete(served, item.object.metadata.namespace ?? '', item.object.metadata.name ?? '', { propagationPolicy: 'Background' }, 'apiextensions-controller'));
    }
    const crdType = api.typeOfStorage(entry.storageKey);
    if (instances.length === 0 && crdType) removeFinalizer(api, crdType, entry.object, api.crdCleanupFinalizer, 'apiextensions-controller');
  }
  return api.store.revision !== before;
}

export function runControllers(api: KubeApi): void {
  for (let i = 0; i < maxPasses; i += 1) if (!pass(api)) return;
}
