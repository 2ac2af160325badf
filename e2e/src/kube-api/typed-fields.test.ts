import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApi } from './api.js';
import { ApiError } from './errors.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-types.js';
import { normaliseMicroTime, normaliseTime, quantityProblem } from './typed-fields.js';

const writer = { manager: 'test' };

function type(api: KubeApi, group: string, version: string, plural: string): ResourceType {
  const found = api.types.find(group, version, plural);
  assert.ok(found, `${group}/${version}/${plural} is served`);
  return found;
}

function rejects(action: () => unknown, code: number): ApiError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const coreEvent = (times: Record<string, unknown>): KubeObject => ({
  metadata: { generateName: 'acme.' },
  involvedObject: { kind: 'ConfigMap', name: 'acme', namespace: 'default' },
  reason: 'Provisioned',
  message: 'm',
  type: 'Normal',
  ...times,
});

test('an Event eventTime with milliseconds is refused with 400 as the real server refuses it (MicroTime wants six digits)', () => {
  const api = new KubeApi();
  const events = type(api, '', 'v1', 'events');
  const error = rejects(() => api.create(events, 'default', coreEvent({ eventTime: '2026-11-29T17:21:33.572Z' }), writer), 400);
  assert.match(error.message, /^Event in version "v1" cannot be handled as a Event: parsing time "2026-11-29T17:21:33\.572Z" as "2006-01-02T15:04:05\.000000Z07:00"/);
  rejects(() => api.create(events, 'default', coreEvent({ eventTime: '2026-11-29T17:21:33Z' }), writer), 400);
  rejects(() => api.create(events, 'default', coreEvent({ eventTime: '2026-11-29T17:21:33.572000000Z' }), writer), 400);
  const stored = api.create(events, 'default', coreEvent({ eventTime: '2026-11-29T17:21:33.572000Z' }), writer);
  assert.equal(stored.eventTime, '2026-11-29T17:21:33.572000Z');
});

test('events.k8s.io/v1 Events and Leases check MicroTime too', () => {
  const api = new KubeApi();
  const eventsV1 = type(api, 'events.k8s.io', 'v1', 'events');
  const body = { metadata: { generateName: 'acme.' }, regarding: { kind: 'ConfigMap', name: 'acme', namespace: 'default' }, note: 'n', reason: 'R', type: 'Normal', action: 'A', reportingController: 'c', reportingInstance: 'i' };
  rejects(() => api.create(eventsV1, 'default', { ...body, eventTime: '2026-11-29T17:21:33.572Z' }, writer), 400);
  assert.ok(api.create(eventsV1, 'default', { ...body, eventTime: '2026-11-29T17:21:33.572000Z' }, writer));
  const leases = type(api, 'coordination.k8s.io', 'v1', 'leases');
  const lease = rejects(() => api.create(leases, 'default', { metadata: { name: 'op' }, spec: { holderIdentity: 'a', renewTime: '2026-11-29T17:21:33.572Z' } }, writer), 400);
  assert.match(lease.message, /^Lease in version "v1" cannot be handled as a Lease: parsing time/);
});

test('metav1.Time fields refuse what is not RFC 3339 and are stored in whole seconds, as Go writes them', () => {
  const api = new KubeApi();
  const events = type(api, '', 'v1', 'events');
  rejects(() => api.create(events, 'default', coreEvent({ firstTimestamp: 'yesterday' }), writer), 400);
  rejects(() => api.create(events, 'default', coreEvent({ lastTimestamp: 1_700_000_000 }), writer), 400);
  const stored = api.create(events, 'default', coreEvent({ firstTimestamp: '2026-11-29T17:21:33.572Z', lastTimestamp: '2026-11-29T18:21:33+01:00' }), writer);
  assert.deepEqual([stored.firstTimestamp, stored.lastTimestamp], ['2026-11-29T17:21:33Z', '2026-11-29T17:21:33Z']);
});

test('quantities the real server cannot parse are refused with 400', () => {
  const api = new KubeApi();
  const deployments = type(api, 'apps', 'v1', 'deployments');
  const deployment = (memory: unknown): KubeObject => ({
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { memory } } }] } } },
  });
  const error = rejects(() => api.create(deployments, 'default', deployment('12xyz'), writer), 400);
  assert.match(error.message, /Deployment in version "v1" cannot be handled as a Deployment: quantities must match the regular expression/);
  rejects(() => api.create(deployments, 'default', deployment('12MiMi'), writer), 400);
  assert.ok(api.create(deployments, 'default', deployment('128Mi'), writer));
  assert.deepEqual(['1', '0.5', '100m', '1e3', '2Gi', 3].map(quantityProblem), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('int-or-string fields: a boolean is a 400, a bad percent or port name a 422 naming the field', () => {
  const api = new KubeApi();
  const pdbs = type(api, 'policy', 'v1', 'poddisruptionbudgets');
  const pdb = (minAvailable: unknown, name = 'p'): KubeObject => ({ metadata: { name }, spec: { minAvailable, selector: { matchLabels: { a: 'b' } } } });
  rejects(() => api.create(pdbs, 'default', pdb(true), writer), 400);
  const percent = rejects(() => api.create(pdbs, 'default', pdb('1x%'), writer), 422);
  assert.deepEqual(percent.details?.causes?.map((c) => c.field), ['spec.minAvailable']);
  assert.ok(api.create(pdbs, 'default', pdb('50%'), writer));
  assert.ok(api.create(pdbs, 'default', pdb(1, 'p2'), writer));
  const services = type(api, '', 'v1', 'services');
  const port = rejects(() => api.create(services, 'default', { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'Http_X' }] } }, writer), 422);
  assert.deepEqual(port.details?.causes?.map((c) => c.field), ['spec.ports[0].targetPort']);
  assert.ok(api.create(services, 'default', { metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } }, writer));
});

test('object names follow their kind: DNS-1123 subdomains, labels for namespaces, DNS-1035 for Services, path segments for RBAC', () => {
  const api = new KubeApi();
  const error = rejects(() => api.create(type(api, '', 'v1', 'configmaps'), 'default', { metadata: { name: 'Bad_Name' } }, writer), 422);
  assert.deepEqual(error.details?.causes?.map((c) => c.field), ['metadata.name']);
  assert.ok(api.create(type(api, '', 'v1', 'configmaps'), 'default', { metadata: { name: 'a.b' } }, writer));
  rejects(() => api.create(type(api, '', 'v1', 'namespaces'), '', { metadata: { name: 'a.b' } }, writer), 422);
  const services = type(api, '', 'v1', 'services');
  for (const name of ['a.b', '1abc']) rejects(() => api.create(services, 'default', { metadata: { name }, spec: { ports: [{ port: 80 }] } }, writer), 422);
  const clusterRoles = type(api, 'rbac.authorization.k8s.io', 'v1', 'clusterroles');
  assert.ok(api.create(clusterRoles, '', { metadata: { name: 'system:controller:Novagate_x' }, rules: [] }, writer));
  for (const name of ['a/b', '..']) rejects(() => api.create(clusterRoles, '', { metadata: { name }, rules: [] }, writer), 422);
});

test('time normalisation keeps microseconds and converts offsets to UTC', () => {
  assert.equal(normaliseMicroTime('2026-11-29T18:21:33.000001+01:00'), '2026-11-29T17:21:33.000001Z');
  assert.equal(normaliseMicroTime('2026-11-29T17:21:33.5720Z'), undefined);
  assert.equal(normaliseTime('2026-11-29T17:21:33.999999999Z'), '2026-11-29T17:21:33Z');
  assert.equal(normaliseTime('2026-11-29 17:21:33Z'), undefined);
});
