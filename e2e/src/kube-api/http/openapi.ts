// OpenAPI documents, as much as kubectl needs: every kind's schema with its group-version-kind, and the
// `fieldValidation` parameter on writes, which tells kubectl to leave validation to the server.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../object.js';
import type { ResourceType, ResourceTypes } from '../resource-types.js';

const objectMetaRef = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const objectMeta: JsonObject = {
  description: 'ObjectMeta is metadata that all persisted resources must have.',
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge' },
    managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
};

function reversedGroup(group: string): string {
  return group === '' ? 'io.k8s.api.core' : group.split('.').reverse().join('.');
}

export function schemaName(type: ResourceType): string {
  return `${reversedGroup(type.group)}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType): JsonObject {
  return { group: type.group, version: type.version, kind: type.kind };
}

function kindSchema(type: ResourceType, metaRef: string): JsonObject {
  const base: JsonObject = type.schema ? (structuredClone(type.schema) as JsonObject) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = (typeof base.properties === 'object' && base.properties !== null && !Array.isArray(base.properties) ? base.properties : {}) as JsonObject;
  base.type = 'object';
  base.properties = { ...properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [{ $ref: metaRef }] } };
  base['x-kubernetes-group-version-kind'] = [gvk(type)];
  return base;
}

function operation(type: ResourceType, action: string): JsonObject {
  return {
    operationId: `${action}${type.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(type),
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string' } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
    ],
    responses: { '200': { description: 'OK' } },
  };
}

function pathsOf(type: ResourceType): JsonObject {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const collection = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.plural}` : `${prefix}/${type.plural}`;
  const item = `${collection}/{name}`;
  const paths: JsonObject = {
    [collection]: { get: operation(type, 'list'), post: operation(type, 'post') },
    [item]: { get: operation(type, 'get'), put: operation(type, 'put'), patch: operation(type, 'patch'), delete: operation(type, 'delete') },
  };
  if (type.statusSubresource) paths[`${item}/status`] = { get: operation(type, 'get'), put: operation(type, 'put'), patch: operation(type, 'patch') };
  return paths;
}

export function openApiV3Document(types: ResourceTypes, group: string, version: string): JsonObject | undefined {
  const served = types.all().filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const schemas: JsonObject = { 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta };
  let paths: JsonObject = {};
  for (const type of served) {
    schemas[schemaName(type)] = kindSchema(type, objectMetaRef);
    paths = { ...paths, ...pathsOf(type) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

export function openApiV3Root(types: ResourceTypes): JsonObject {
  const paths: JsonObject = {};
  for (const [group, versions] of types.groups()) {
    for (const version of versions) {
      const key = group === '' ? `api/${version}` : `apis/${group}/${version}`;
      const hash = createHash('sha256').update(JSON.stringify(openApiV3Document(types, group, version))).digest('hex').slice(0, 32);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  return { paths };
}

export function openApiV2(types: ResourceTypes): JsonObject {
  const definitions: JsonObject = { 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta };
  for (const type of types.all()) definitions[`${schemaName(type)}`] = kindSchema(type, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions };
}
