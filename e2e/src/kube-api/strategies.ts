// Kind-specific write rules (the apiserver's "strategies"), one small function per kind.
import { badRequest, type FieldError } from './errors.js';
import { deepEqual, isPlainObject, type KubeObject } from './object.js';
import { crdStatus, validateCrd } from './crd/crd.js';

/** Returns the object to store, or the field errors that make the write a 422 Invalid. A 400 is thrown. */
export type Strategy = (next: KubeObject, current: KubeObject | undefined, now: string) => KubeObject | FieldError[];

function immutableData(next: KubeObject, current: KubeObject | undefined): FieldError[] {
  if (current?.immutable !== true) return [];
  const changed = !deepEqual(current.data, next.data) || !deepEqual(current.binaryData, next.binaryData) || next.stringData !== undefined || next.immutable !== true;
  return changed ? [{ type: 'FieldValueForbidden', field: 'data', detail: 'field is immutable when `immutable` is set' }] : [];
}

const configMap: Strategy = (next, current) => {
  const errors = immutableData(next, current);
  return errors.length > 0 ? errors : next;
};

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** stringData folds into base64 data; type defaults to Opaque and never changes. */
const secret: Strategy = (next, current) => {
  const errors = immutableData(next, current);
  if (errors.length > 0) return errors;
  for (const [key, value] of Object.entries(isPlainObject(next.data) ? next.data : {})) {
    if (typeof value !== 'string' || !base64.test(value) || value.length % 4 !== 0) {
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data.${key}`);
    }
  }
  if (isPlainObject(next.stringData)) {
    const data = isPlainObject(next.data) ? { ...next.data } : {};
    for (const [key, value] of Object.entries(next.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
    next.data = data;
  }
  delete next.stringData;
  next.type ??= 'Opaque';
  if (current && current.type !== next.type) return [{ type: 'FieldValueInvalid', field: 'type', detail: `${JSON.stringify(next.type)}: field is immutable` }];
  return next;
};

/** The name label, the "kubernetes" finalizer that holds a namespace until it is empty, and phase Active. */
const namespace: Strategy = (next, current) => {
  next.metadata.labels = { ...(next.metadata.labels ?? {}), 'kubernetes.io/metadata.name': next.metadata.name ?? '' };
  if (!current) next.spec = { finalizers: ['kubernetes'] };
  if (!isPlainObject(next.status) || !next.status.phase) next.status = { phase: 'Active' };
  return next;
};

/** Checked like apiextensions.k8s.io/v1 checks it; the group is immutable; names accepted and established at once. */
const customResourceDefinition: Strategy = (next, current, now) => {
  const errors = validateCrd(next);
  const group = (o: KubeObject): unknown => (o.spec as { group?: unknown } | undefined)?.group;
  if (current && group(current) !== group(next)) errors.push({ type: 'FieldValueInvalid', field: 'spec.group', detail: 'field is immutable' });
  if (errors.length > 0) return errors;
  next.status = crdStatus(next, now);
  return next;
};

/** A namespaced involved object must be in the Event's namespace (core/v1 validation, whichever version wrote it). */
const event: Strategy = (next) => {
  const involved = isPlainObject(next.involvedObject) ? next.involvedObject : {};
  const involvedNamespace = typeof involved.namespace === 'string' ? involved.namespace : '';
  const eventNamespace = next.metadata.namespace ?? '';
  const agree = involvedNamespace === '' ? eventNamespace === '' || eventNamespace === 'default' : involvedNamespace === eventNamespace;
  if (!agree) return [{ type: 'FieldValueInvalid', field: 'involvedObject.namespace', detail: `${JSON.stringify(involvedNamespace)}: does not match event.namespace` }];
  return next;
};

/** events.k8s.io/v1 also requires what a recorder must always say (checked on the stored core shape, named the v1 way). */
const eventsV1: Strategy = (next, current) => {
  if (current) return next;
  const errors: FieldError[] = [];
  const required: Array<[string, string]> = [['eventTime', 'eventTime'], ['reportingComponent', 'reportingController'], ['reportingInstance', 'reportingInstance'], ['action', 'action'], ['reason', 'reason']];
  for (const [stored, named] of required) if (!next[stored]) errors.push({ type: 'FieldValueRequired', field: named, detail: '' });
  if (next.type !== 'Normal' && next.type !== 'Warning') errors.push({ type: 'FieldValueNotSupported', field: 'type', detail: `${JSON.stringify(next.type ?? '')}: supported values: "Normal", "Warning"` });
  return errors.length > 0 ? errors : next;
};

/** By storage key, and by group/plural for rules of one served type only. */
export const strategies: Record<string, Strategy> = {
  '/events': event,
  'events.k8s.io/events': eventsV1,
  '/configmaps': configMap,
  '/secrets': secret,
  '/namespaces': namespace,
  'apiextensions.k8s.io/customresourcedefinitions': customResourceDefinition,
};
