// The API's semantics over the store: create, read, update, patch, delete and watch with the rules of the real apiserver.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { alreadyExists, ApiError, badRequest, conflict, forbidden, gone, invalid, notFound, type FieldError } from './errors.js';
import { clone, deepEqual, isPlainObject, kubeTime, type KubeObject, type ManagedFieldsEntry } from './object.js';
import { apiVersionOf, builtinTypes, ResourceTypes, storageKey, type ResourceType } from './resource-types.js';
import { Store, type StoredEvent } from './store.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldSelector } from './selectors.js';
import { randomNameSuffix, validateName } from './names.js';
import { decodeTypedFields } from './typed-fields.js';
import { applyDefaults, asSchema, prune, unknownFields, validate } from './crd/schema.js';
import { validateRules } from './crd/cel.js';
import { typesOfCrd } from './crd/crd.js';
import { strategies } from './strategies.js';
import { applyMergePatch } from './patch/merge-patch.js';
import { applyJsonPatch, JsonPatchError } from './patch/json-patch.js';
import { applyStrategicMergePatch } from './patch/strategic-merge.js';
import { applyConfiguration, ApplyConflictError, recordUpdate } from './patch/managed-fields.js';
import { runControllers } from './controllers.js';
import { pruneMetadata, unknownMetadataFields, validateObjectMeta } from './metadata.js';

export interface WriteOptions {
  /** The field manager recorded in managedFields (the `fieldManager` query parameter, or the client's name). */
  manager: string;
  dryRun?: boolean;
  /** Server-side apply: take fields owned by other managers. */
  force?: boolean;
  /** fieldValidation=Strict: fields the schema does not know are a 400 instead of being pruned. */
  strict?: boolean;
}

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface WatchSink {
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
  close(): void;
}

export interface KubeApiOptions {
  clock?: () => Date;
  /** New objects' uids; random UUIDs by default. */
  uid?: () => string;
  /** The suffix generateName appends; five random characters by default. */
  nameSuffix?: () => string;
}

const crdStorage = 'apiextensions.k8s.io/customresourcedefinitions';
const namespaceStorage = '/namespaces';
const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString()) as ContinueToken;
    if (typeof token.rv === 'number' && typeof token.start === 'string') return token;
  } catch {
    // answered below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function parseRevision(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version "${text}"`);
  return Number(text);
}

/** Parts of an object the main endpoint may not change when the type has a status subresource. */
function specPart(object: KubeObject, type: ResourceType): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...object };
  delete rest.metadata;
  delete rest.apiVersion;
  delete rest.kind;
  if (type.statusSubresource) delete rest.status;
  return rest;
}

/** The apiserver in memory. Every write goes through here, then the built-in controllers settle the world. */
export class KubeApi {
  readonly store = new Store(1000);
  readonly types = new ResourceTypes(builtinTypes());
  readonly #clock: () => Date;
  readonly #uid: () => string;
  readonly #nameSuffix: () => string;
  #reconciling = false;

  constructor(options: KubeApiOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
    this.#uid = options.uid ?? randomUUID;
    this.#nameSuffix = options.nameSuffix ?? randomNameSuffix;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(this.resourceType('', 'v1', 'namespaces'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { manager: 'kube-apiserver' });
    }
  }

  now(): string {
    return kubeTime(this.#clock());
  }

  /** A served resource type (`resourceType('novagate.dev', 'v1alpha1', 'tenants')`); 404 NotFound when it is not served. */
  resourceType(group: string, version: string, plural: string): ResourceType {
    const type = this.types.find(group, version, plural);
    if (!type) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${group === '' ? '' : `${group}/`}${version}, ${plural})`);
    return type;
  }

  /** Sets apiVersion and kind to the version the object is read at. */
  #present(object: KubeObject, type: ResourceType): KubeObject {
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = type.view ? type.view.fromStored(object) : object;
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest };
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject {
    const found = this.store.get(storageKey(type), namespace, name);
    if (!found) throw notFound(type, name);
    return this.#present(found, type);
  }

  list(type: ResourceType, namespace: string, options: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = storedFields(type, parseFieldSelector(options.fieldSelector, type.selectableFields, type.kind));
    const match = options.resourceVersionMatch;
    if (match) {
      if (match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
      if (!options.resourceVersion) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (match === 'Exact' && options.resourceVersion === '0') throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    let revision = this.store.revision;
    let start = '';
    let objects: KubeObject[];
    if (options.continue) {
      const token = decodeContinue(options.continue);
      if (token.rv < this.store.compactedRevision) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue parameter in this response.');
      }
      revision = token.rv;
      start = token.start;
      objects = this.store.listAt(storageKey(type), namespace, revision);
    } else if (options.resourceVersion && options.resourceVersionMatch === 'Exact') {
      revision = parseRevision(options.resourceVersion);
      objects = this.store.listAt(storageKey(type), namespace, revision);
    } else {
      if (options.resourceVersion && options.resourceVersion !== '0') {
        const wanted = parseRevision(options.resourceVersion);
        if (wanted > this.store.revision) throw new ApiError(504, 'Timeout', `Too large resource version: ${wanted}, current: ${this.store.revision}`);
      }
      objects = this.store.list(storageKey(type), namespace);
    }
    const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    const selected = objects.filter((o) => keyOf(o) > start && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
    const limit = options.limit && options.limit > 0 ? options.limit : selected.length;
    const page = selected.slice(0, limit);
    const result: ListResult = { items: page.map((o) => this.#present(o, type)), resourceVersion: String(revision) };
    const last = page[page.length - 1];
    if (selected.length > page.length && last) {
      result.continue = encodeContinue({ rv: revision, start: keyOf(last) });
      if (labels.length === 0 && fields.length === 0) result.remainingItemCount = selected.length - page.length;
    }
    return result;
  }

  create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions): KubeObject {
    return this.#create(type, namespace, body, options);
  }

  #create(type: ResourceType, namespace: string, body: unknown, options: WriteOptions, managedFields?: ManagedFieldsEntry[]): KubeObject {
    const object = this.#checkBody(type, body);
    const meta = object.metadata;
    if (type.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
      this.#checkNamespaceWritable(namespace);
    } else delete meta.namespace;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name) {
      if (!meta.generateName) throw invalid(type, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
      meta.name = `${meta.generateName}${this.#nameSuffix()}`;
    }
    const nameErrors = validateName(meta.name, type);
    if (nameErrors.length > 0) throw invalid(type, meta.name, nameErrors);
    if (this.store.get(storageKey(type), namespace, meta.name)) throw alreadyExists(type, meta.name);
    meta.uid = this.#uid();
    meta.creationTimestamp = this.now();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (type.generation) meta.generation = 1;
    else delete meta.generation;
    if (type.statusSubresource && type.crdName) delete object.status;
    const prepared = this.#prepare(type, undefined, object, options.strict === true);
    prepared.metadata.managedFields = managedFields ?? recordUpdate(undefined, prepared, { manager: options.manager, apiVersion: apiVersionOf(type), time: this.now() });
    if (options.dryRun) return this.#present(prepared, type);
    const stored = this.store.commit(storageKey(type), 'ADDED', prepared);
    this.#afterWrite(type, stored, false);
    return this.#present(stored, type);
  }

  /** PUT: the whole object (or with `subresource` = 'status', only its status) replaced. */
  update(type: ResourceType, namespace: string, name: string, body: unknown, options: WriteOptions, subresource?: string): KubeObject {
    const object = this.#checkBody(type, body);
    if (object.metadata.name !== undefined && object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    if (type.namespaced && object.metadata.namespace && object.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const current = this.store.get(storageKey(type), namespace, name);
    if (!current) throw notFound(type, name);
    const sentVersion = object.metadata.resourceVersion;
    if (!sentVersion && !type.unconditionalUpdate) throw invalid(type, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', detail: '0x0: must be specified for an update' }]);
    if (sentVersion && sentVersion !== current.metadata.resourceVersion) throw conflict(type, name);
    return this.#replace(type, current, object, options, subresource);
  }

  patch(type: ResourceType, namespace: string, name: string, patchType: PatchType, patchBody: string, options: WriteOptions, subresource?: string): KubeObject {
    const current = this.store.get(storageKey(type), namespace, name);
    if (patchType === 'apply') return this.#apply(type, namespace, name, current, patchBody, options, subresource);
    if (!current) throw notFound(type, name);
    if (patchType === 'strategic' && type.crdName !== undefined) {
      // As on a real server: custom resources have no patch strategies, so strategic merge patch is refused.
      throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    let patch: unknown;
    try {
      patch = JSON.parse(patchBody);
    } catch {
      throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    }
    const base = this.#present(current, type);
    let patched: unknown;
    try {
      if (patchType === 'json') patched = applyJsonPatch(base, patch);
      else if (patchType === 'strategic') patched = applyStrategicMergePatch(base, patch);
      else patched = applyMergePatch(base, patch);
    } catch (error) {
      if (error instanceof JsonPatchError) throw new ApiError(422, 'Invalid', error.message);
      throw error;
    }
    const object = this.#checkBody(type, patched);
    if (object.metadata.name !== name) throw badRequest('metadata.name cannot be changed by a patch');
    const sentVersion = object.metadata.resourceVersion;
    if (sentVersion && sentVersion !== current.metadata.resourceVersion) throw conflict(type, name);
    return this.#replace(type, current, object, options, subresource);
  }

  delete(type: ResourceType, namespace: string, name: string, options: DeleteOptions, manager = 'kube-apiserver'): KubeObject {
    const current = this.store.get(storageKey(type), namespace, name);
    if (!current) throw notFound(type, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
    }
    const next = clone(current);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (type.crdName === undefined && storageKey(type) === crdStorage) finalizers.add(crdCleanupFinalizer);
    if (finalizers.size === 0 && !namespaceHolds(type, next)) {
      if (options.dryRun) return this.#present(current, type);
      const deleted = this.store.commit(storageKey(type), 'DELETED', current);
      this.#afterWrite(type, deleted, true);
      return this.#present(deleted, type);
    }
    if (next.metadata.deletionTimestamp && deepEqual([...finalizers], next.metadata.finalizers ?? [])) return this.#present(current, type);
    next.metadata.finalizers = [...finalizers];
    if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = this.now();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (type.generation) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
      if (type.plural === 'namespaces' && type.group === '') next.status = { ...(isPlainObject(next.status) ? next.status : {}), phase: 'Terminating' };
    }
    next.metadata.managedFields = recordUpdate(current, next, { manager, apiVersion: apiVersionOf(type), time: this.now() });
    if (options.dryRun) return this.#present(next, type);
    const stored = this.store.commit(storageKey(type), 'MODIFIED', next);
    this.#afterWrite(type, stored, false);
    return this.#present(stored, type);
  }

  /**
   * Streams events of one type to `sink`: from `resourceVersion` (exclusive), or, when it is empty or "0",
   * first an ADDED for every current object. Objects moving in or out of the selectors appear as ADDED or DELETED.
   */
  watch(type: ResourceType, namespace: string, options: ListOptions, sink: WatchSink): () => void {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = storedFields(type, parseFieldSelector(options.fieldSelector, type.selectableFields, type.kind));
    const matches = (o: KubeObject | undefined): boolean => o !== undefined && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
    let from: number;
    if (!options.resourceVersion || options.resourceVersion === '0') {
      from = this.store.revision;
      for (const object of this.store.list(storageKey(type), namespace)) if (matches(object)) sink.event('ADDED', this.#present(object, type));
    } else from = parseRevision(options.resourceVersion);
    const onEvent = (event: StoredEvent): void => {
      const now = matches(event.object);
      const before = matches(event.previous);
      const object = this.#present(event.object, type);
      if (event.type === 'ADDED' && now) sink.event('ADDED', object);
      else if (event.type === 'DELETED' && (now || before)) sink.event('DELETED', object);
      else if (event.type === 'MODIFIED') {
        if (now && before) sink.event('MODIFIED', object);
        else if (now) sink.event('ADDED', object);
        else if (before) sink.event('DELETED', object);
      }
    };
    return this.store.watch({ storageKey: storageKey(type), namespace, onEvent, onClose: () => sink.close() }, from);
  }

  /** Resource types by storage key, for the controllers and for CRD clean-up. */
  typeOfStorage(key: string): ResourceType | undefined {
    return this.types.byStorageKey().get(key);
  }

  #checkBody(type: ResourceType, body: unknown): KubeObject {
    if (!isPlainObject(body)) throw badRequest('the body of the request must be a JSON object');
    const object = clone(body) as KubeObject;
    if (!isPlainObject(object.metadata)) object.metadata = {};
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind ${String(object.kind)} is not ${type.kind}`);
    }
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(type) && object.apiVersion !== '') {
      const group = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0] : '';
      if (group !== type.group) throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    return type.view ? type.view.toStored(object) : object;
  }

  #checkNamespaceWritable(namespace: string): void {
    const ns = this.store.get(namespaceStorage, '', namespace);
    if (!ns) throw notFound({ group: '', plural: 'namespaces', kind: 'Namespace' }, namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** The shared tail of PUT and PATCH: status rules, immutable metadata, generation, no-op detection, finalizer removal. */
  #replace(type: ResourceType, current: KubeObject, incoming: KubeObject, options: WriteOptions, subresource?: string, managedFields?: ManagedFieldsEntry[]): KubeObject {
    let next: KubeObject;
    if (subresource === 'status') {
      next = clone(current);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
      next.metadata.managedFields = incoming.metadata.managedFields ?? current.metadata.managedFields;
    } else {
      next = incoming;
      if (type.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      const meta = next.metadata;
      const was = current.metadata;
      meta.namespace = was.namespace;
      meta.uid = was.uid;
      meta.creationTimestamp = was.creationTimestamp;
      meta.generation = was.generation;
      if (was.deletionTimestamp) {
        meta.deletionTimestamp = was.deletionTimestamp;
        meta.deletionGracePeriodSeconds = was.deletionGracePeriodSeconds;
        const added = (meta.finalizers ?? []).filter((f) => !(was.finalizers ?? []).includes(f));
        if (added.length > 0) throw invalid(type, meta.name ?? '', [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (!type.generation) delete meta.generation;
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    next = this.#prepare(type, current, next, options.strict === true && subresource === undefined);
    if (type.generation && subresource !== 'status' && !deepEqual(specPart(next, type), specPart(current, type))) {
      next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    if (managedFields) next.metadata.managedFields = managedFields;
    else if (!deepEqual(stripManaged(next), stripManaged(current))) {
      next.metadata.managedFields = recordUpdate(current, next, { manager: options.manager, apiVersion: apiVersionOf(type), time: this.now(), ...(subresource ? { subresource } : {}) });
    }
    if (deepEqual(withoutTimes(next), withoutTimes(current))) return this.#present(current, type);
    if (options.dryRun) return this.#present(next, type);
    const finalizing = next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !namespaceHolds(type, next);
    const stored = this.store.commit(storageKey(type), finalizing ? 'DELETED' : 'MODIFIED', next);
    this.#afterWrite(type, stored, Boolean(finalizing));
    return this.#present(stored, type);
  }

  #apply(type: ResourceType, namespace: string, name: string, current: KubeObject | undefined, body: string, options: WriteOptions, subresource?: string): KubeObject {
    let config: unknown;
    try {
      config = parseYaml(body);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    const checked = this.#checkBody(type, config);
    // Merged in the shape the client sent (a view type's, too), turned back into the stored shape below.
    const object = type.view ? type.view.fromStored(checked) : checked;
    if (object.metadata.name !== undefined && object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    object.metadata.name = name;
    if (type.namespaced) object.metadata.namespace = namespace;
    const sentVersion = object.metadata.resourceVersion;
    if (sentVersion && current && sentVersion !== current.metadata.resourceVersion) throw conflict(type, name);
    delete object.metadata.resourceVersion;
    const context = { manager: options.manager, apiVersion: apiVersionOf(type), time: this.now(), ...(subresource ? { subresource } : {}) };
    if (subresource === 'status') {
      for (const key of Object.keys(object)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(key)) delete object[key];
      object.metadata = { name, ...(type.namespaced ? { namespace } : {}) };
    } else if (type.statusSubresource) delete object.status;
    let merged: KubeObject;
    try {
      merged = applyConfiguration(current && this.#present(current, type), object, context, options.force === true);
    } catch (error) {
      if (error instanceof ApplyConflictError) {
        const causes = error.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${error.apiVersion}`, field: c.field }));
        const lines = error.conflicts.map((c) => `conflict with "${c.manager}" using ${error.apiVersion}: ${c.field}`);
        const list = lines.length === 1 ? lines[0] : `\n${lines.map((l) => `- ${l}`).join('\n')}`;
        throw new ApiError(409, 'Conflict', `Apply failed with ${causes.length} conflict${causes.length === 1 ? '' : 's'}: ${list}`, { name, group: type.group, kind: type.plural, causes });
      }
      throw error;
    }
    const managedFields = merged.metadata.managedFields ?? [];
    if (type.view) merged = type.view.toStored(merged);
    if (!current) return this.#create(type, namespace, { ...merged, metadata: { ...merged.metadata, managedFields: undefined } }, options, managedFields);
    return this.#replace(type, current, merged, options, subresource, managedFields);
  }

  /** Kind-specific defaulting and validation (the apiserver's strategies) and the CRD schema for custom resources. */
  #prepare(type: ResourceType, current: KubeObject | undefined, object: KubeObject, strict: boolean): KubeObject {
    let next = object;
    const unknownMeta = strict ? unknownMetadataFields(next.metadata as Record<string, unknown>) : [];
    if (unknownMeta.length > 0) throw badRequest(`strict decoding error: ${unknownMeta.map((f) => `unknown field "${f}"`).join(', ')}`);
    next.metadata = pruneMetadata(next.metadata);
    const metaErrors = validateObjectMeta(next.metadata);
    if (metaErrors.length > 0) throw invalid(type, next.metadata.name ?? '', metaErrors);
    if (type.schema) {
      const schema = asSchema(type.schema);
      const pruned = prune(next, schema, true);
      const unknown = strict ? unknownFields(next, pruned) : [];
      if (unknown.length > 0) throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
      next = applyDefaults(pruned, schema) as KubeObject;
      const errors: FieldError[] = validate(next, schema);
      if (errors.length === 0) errors.push(...validateRules(next, current, schema));
      if (errors.length > 0) throw invalid(type, next.metadata.name ?? '', errors);
    }
    const typedErrors = decodeTypedFields(storageKey(type), type.kind, type.version, next);
    if (typedErrors.length > 0) throw invalid(type, next.metadata.name ?? '', typedErrors);
    // The storage's rules, then those of the type it is read as (events.k8s.io/v1 Events add theirs to core Events').
    for (const key of new Set([storageKey(type), `${type.group}/${type.plural}`])) {
      const strategy = strategies[key];
      if (!strategy) continue;
      const result = strategy(next, current, this.now());
      if (Array.isArray(result)) throw invalid(type, next.metadata.name ?? '', result);
      next = result;
    }
    return next;
  }

  /**
   * After a committed write: (un)serve CRD types, then let the controllers settle dependents. Only writes that can
   * concern them (deletions, owner references, namespaces, CRDs) wake them, which keeps a write cheap.
   */
  #afterWrite(type: ResourceType, written: KubeObject, deleted: boolean): void {
    const key = storageKey(type);
    if (key === crdStorage) this.#syncCrdTypes();
    const concernsControllers = deleted || written.metadata.deletionTimestamp !== undefined || (written.metadata.ownerReferences ?? []).length > 0 || key === crdStorage || key === namespaceStorage;
    if (this.#reconciling || !concernsControllers) return;
    this.#reconciling = true;
    try {
      runControllers(this);
    } finally {
      this.#reconciling = false;
    }
  }

  #syncCrdTypes(): void {
    this.types.removeWhere((t) => t.crdName !== undefined);
    for (const crd of this.store.list(crdStorage, '')) for (const type of typesOfCrd(crd)) this.types.add(type);
  }

  /** The finalizer that keeps a CRD (and its served types) until the controllers have deleted its instances. */
  get crdCleanupFinalizer(): string {
    return crdCleanupFinalizer;
  }
}

/** Field selectors of a view type name the stored object's fields. */
function storedFields(type: ResourceType, selector: FieldSelector): FieldSelector {
  const view = type.view;
  return view ? selector.map((req) => ({ ...req, field: view.storedField(req.field) })) : selector;
}

/** The object with managedFields timestamps blanked: a write (or an apply) that changes nothing else is a no-op. */
function withoutTimes(object: KubeObject): KubeObject {
  const copy = clone(object);
  copy.metadata.managedFields = copy.metadata.managedFields?.map((entry) => ({ ...entry, time: '' }));
  return copy;
}

function stripManaged(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.metadata.managedFields;
  return copy;
}

/** A namespace stays until its spec.finalizers are gone (the namespace controller removes "kubernetes" once it is empty). */
function namespaceHolds(type: ResourceType, object: KubeObject): boolean {
  if (type.group !== '' || type.plural !== 'namespaces') return false;
  const finalizers = (object.spec as { finalizers?: unknown[] } | undefined)?.finalizers;
  return Array.isArray(finalizers) && finalizers.length > 0;
}
