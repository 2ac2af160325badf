// Discovery documents: /version, /api, /apis, /api/v1, /apis/<group>/<version>, in the legacy and the aggregated (v2) forms.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../object.js';
import type { ResourceType, ResourceTypes } from '../resource-types.js';

export const serverVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-novagate-kube-api', gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'none (novagate test server in Node.js)', compiler: 'none', platform: 'linux/amd64' };

export const aggregatedDiscoveryType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const objectVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function storageVersionHash(type: ResourceType): string {
  return createHash('sha256').update(`${type.group}/${type.version}/${type.kind}`).digest('base64').slice(0, 11);
}

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: string[]): JsonObject {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] ?? {} };
}

export function apiGroupList(types: ResourceTypes): JsonObject {
  const groups = [...types.groups()].filter(([name]) => name !== '').sort(([a], [b]) => (a < b ? -1 : 1));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(([name, versions]) => apiGroup(name, versions)) };
}

export function apiGroupDocument(types: ResourceTypes, group: string): JsonObject | undefined {
  const versions = types.groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

export function apiResourceList(types: ResourceTypes, group: string, version: string): JsonObject | undefined {
  const served = types.all().filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const type of served) {
    const resource: JsonObject = { name: type.plural, singularName: type.singular, namespaced: type.namespaced, kind: type.kind, verbs: objectVerbs, storageVersionHash: storageVersionHash(type) };
    if (type.shortNames.length > 0) resource.shortNames = type.shortNames;
    if (type.categories.length > 0) resource.categories = type.categories;
    resources.push(resource);
    if (type.statusSubresource) resources.push({ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

/** The aggregated discovery document: /api holds the core group, /apis every other group. */
export function aggregatedDiscovery(types: ResourceTypes, core: boolean): JsonObject {
  const groups = [...types.groups()].filter(([name]) => (core ? name === '' : name !== '')).sort(([a], [b]) => (a < b ? -1 : 1));
  const items = groups.map(([group, versions]) => ({
    metadata: { name: group },
    versions: versions.map((version) => ({
      version,
      freshness: 'Current',
      resources: types
        .all()
        .filter((t) => t.group === group && t.version === version)
        .map((type) => {
          const resource: JsonObject = {
            resource: type.plural,
            responseKind: { group, version, kind: type.kind },
            scope: type.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: type.singular,
            verbs: objectVerbs,
          };
          if (type.shortNames.length > 0) resource.shortNames = type.shortNames;
          if (type.categories.length > 0) resource.categories = type.categories;
          if (type.statusSubresource) resource.subresources = [{ subresource: 'status', responseKind: { group, version, kind: type.kind }, verbs: ['get', 'patch', 'update'] }];
          return resource;
        }),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
