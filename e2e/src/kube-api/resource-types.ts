// The registry of served resource types: the built-in kinds and the ones each CRD adds while it exists.
import type { JsonObject, KubeObject } from './object.js';
import { coreEventField, toCoreEvent, toEventsV1 } from './events.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  /** The object has a `/status` subresource: the main endpoint ignores status, `/status` changes only status. */
  statusSubresource: boolean;
  /** metadata.generation is kept (starts at 1, bumps on spec changes and on deletion start). */
  generation: boolean;
  /** An update without metadata.resourceVersion is accepted (true for most built-ins, false for custom resources). */
  unconditionalUpdate: boolean;
  /** Field selectors accepted besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** Table columns after Name. Built-ins list theirs in full; a custom resource without any gets Age. */
  printerColumns: PrinterColumn[];
  /** The CRD's openAPIV3Schema for this version, when it is a custom resource. */
  schema?: JsonObject;
  /** The CRD name, when it is a custom resource. */
  crdName?: string;
  /** Another type's storage this one is a view of, with the conversions both ways (events.k8s.io/v1 over core Events). */
  view?: { storage: string; fromStored(object: KubeObject): KubeObject; toStored(object: KubeObject): KubeObject; storedField(field: string): string };
}

/** Objects of one type share storage whatever version they are read at. */
export function storageKey(type: Pick<ResourceType, 'group' | 'plural' | 'view'>): string {
  return type.view?.storage ?? `${type.group}/${type.plural}`;
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

type BuiltinSpec = Partial<ResourceType> & Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural'>;

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function builtin(spec: BuiltinSpec): ResourceType {
  const printerColumns = spec.plural === 'customresourcedefinitions' ? (spec.printerColumns ?? []) : [...(spec.printerColumns ?? []), age];
  return {
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: true,
    statusSubresource: false,
    generation: false,
    unconditionalUpdate: true,
    selectableFields: [],
    ...spec,
    printerColumns,
  };
}

const eventFields = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

/** The kinds every server starts with. */
export function builtinTypes(): ResourceType[] {
  return [
    builtin({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false, statusSubresource: true, selectableFields: ['status.phase'], printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }] }),
    builtin({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', selectableFields: ['type'], printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Data', type: 'integer', jsonPath: '.data' }] }),
    builtin({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data' }] }),
    builtin({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] }),
    builtin({ group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], selectableFields: eventFields, printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Reason', type: 'string', jsonPath: '.reason' }, { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' }, { name: 'Message', type: 'string', jsonPath: '.message' }] }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      shortNames: ['ev'],
      selectableFields: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'reason', 'reportingController', 'type'],
      view: { storage: '/events', fromStored: toEventsV1, toStored: toCoreEvent, storedField: coreEventField },
    }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }] }),
    builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', shortNames: ['crd', 'crds'], namespaced: false, statusSubresource: true, generation: true, printerColumns: [{ name: 'Created At', type: 'string', format: 'date-time', jsonPath: '.metadata.creationTimestamp' }] }),
    // Enough of the kinds a Helm chart installs (NovaGate's chart among them) for `helm install` to be
    // accepted; no controller acts on them.
    builtin({ group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], statusSubresource: true }),
    builtin({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'], statusSubresource: true, generation: true }),
    builtin({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], statusSubresource: true, generation: true }),
    builtin({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], statusSubresource: true, generation: true, printerColumns: [{ name: 'Min Available', type: 'string', jsonPath: '.spec.minAvailable' }, { name: 'Max Unavailable', type: 'string', jsonPath: '.spec.maxUnavailable' }] }),
    builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'], generation: true }),
    builtin({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'], statusSubresource: true, printerColumns: [{ name: 'MinPods', type: 'integer', jsonPath: '.spec.minReplicas' }, { name: 'MaxPods', type: 'integer', jsonPath: '.spec.maxReplicas' }] }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false }),
  ];
}

/** Served types, looked up by group/version/plural; CRDs add and remove theirs. */
export class ResourceTypes {
  readonly #types = new Map<string, ResourceType>();

  constructor(initial: ResourceType[]) {
    for (const type of initial) this.add(type);
  }

  add(type: ResourceType): void {
    this.#types.set(`${type.group}/${type.version}/${type.plural}`, type);
  }

  removeWhere(predicate: (type: ResourceType) => boolean): void {
    for (const [key, type] of this.#types) if (predicate(type)) this.#types.delete(key);
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#types.get(`${group}/${version}/${plural}`);
  }

  all(): ResourceType[] {
    return [...this.#types.values()];
  }

  /** Group → versions in the order served, the group's preferred version first. */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.#types.values()) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return groups;
  }

  /** Any version of the storage key: what garbage collection and namespace cleanup walk. */
  byStorageKey(): Map<string, ResourceType> {
    const byKey = new Map<string, ResourceType>();
    for (const type of this.#types.values()) if (!byKey.has(storageKey(type))) byKey.set(storageKey(type), type);
    return byKey;
  }
}
