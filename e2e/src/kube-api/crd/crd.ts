// CustomResourceDefinitions: checking one, turning it into served resource types, and its status conditions.
import type { FieldError } from '../errors.js';
import { isPlainObject, readPath, type JsonObject, type KubeObject } from '../object.js';
import type { PrinterColumn, ResourceType } from '../resource-types.js';

interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
  subresources?: { status?: JsonObject; scale?: JsonObject };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: Array<{ jsonPath: string }>;
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
}

function specOf(crd: KubeObject): CrdSpec {
  return (isPlainObject(crd.spec) ? crd.spec : {}) as CrdSpec;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The checks the real server makes that a NovaGate CRD could trip over; 422 causes when any fails. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const spec = specOf(crd);
  const errors: FieldError[] = [];
  const plural = spec.names?.plural ?? '';
  if (!spec.group) errors.push({ type: 'FieldValueRequired', field: 'spec.group', detail: '' });
  else if (!spec.group.includes('.')) errors.push({ type: 'FieldValueInvalid', field: 'spec.group', detail: `"${spec.group}": should be a domain with at least one dot` });
  if (!plural) errors.push({ type: 'FieldValueRequired', field: 'spec.names.plural', detail: '' });
  else if (!dnsLabel.test(plural)) errors.push({ type: 'FieldValueInvalid', field: 'spec.names.plural', detail: `"${plural}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'` });
  if (!spec.names?.kind) errors.push({ type: 'FieldValueRequired', field: 'spec.names.kind', detail: '' });
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errors.push({ type: 'FieldValueNotSupported', field: 'spec.scope', detail: `"${spec.scope ?? ''}": supported values: "Cluster", "Namespaced"` });
  if (crd.metadata.name !== `${plural}.${spec.group ?? ''}`) errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', detail: `"${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group` });
  const versions = spec.versions ?? [];
  if (versions.length === 0) errors.push({ type: 'FieldValueRequired', field: 'spec.versions', detail: 'must have exactly one version marked as storage version' });
  else if (versions.filter((v) => v.storage).length !== 1) errors.push({ type: 'FieldValueInvalid', field: 'spec.versions', detail: 'must have exactly one version marked as storage version' });
  versions.forEach((version, i) => {
    if (!version.name) errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].name`, detail: '' });
    if (!isPlainObject(version.schema?.openAPIV3Schema)) errors.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'schemas are required' });
  });
  return errors;
}

/** The resource types a CRD serves: one per served version. */
export function typesOfCrd(crd: KubeObject): ResourceType[] {
  const spec = specOf(crd);
  const names = spec.names ?? {};
  const kind = names.kind ?? '';
  return (spec.versions ?? [])
    .filter((v) => v.served !== false && v.name)
    .map((version) => {
      const type: ResourceType = {
        group: spec.group ?? '',
        version: version.name ?? '',
        kind,
        listKind: names.listKind ?? `${kind}List`,
        plural: names.plural ?? '',
        singular: names.singular ?? kind.toLowerCase(),
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        namespaced: spec.scope !== 'Cluster',
        statusSubresource: isPlainObject(version.subresources?.status),
        generation: true,
        unconditionalUpdate: false,
        selectableFields: (version.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')),
        printerColumns: version.additionalPrinterColumns ?? [],
        crdName: crd.metadata.name ?? '',
      };
      const schema = version.schema?.openAPIV3Schema;
      if (schema) type.schema = schema;
      return type;
    });
}

/** The status the apiextensions controllers would write once the names are accepted. */
export function crdStatus(crd: KubeObject, now: string): JsonObject {
  const spec = specOf(crd);
  const existing = readPath(crd, ['status', 'conditions']);
  const since = (type: string): string => {
    const found = Array.isArray(existing) ? existing.find((c) => isPlainObject(c) && c.type === type && c.status === 'True') : undefined;
    return isPlainObject(found) && typeof found.lastTransitionTime === 'string' ? found.lastTransitionTime : now;
  };
  const names = spec.names ?? {};
  const acceptedNames: JsonObject = { plural: names.plural ?? '', singular: names.singular ?? (names.kind ?? '').toLowerCase(), kind: names.kind ?? '', listKind: names.listKind ?? `${names.kind ?? ''}List` };
  if (names.shortNames) acceptedNames.shortNames = names.shortNames;
  if (names.categories) acceptedNames.categories = names.categories;
  return {
    acceptedNames,
    storedVersions: (spec.versions ?? []).filter((v) => v.storage).map((v) => v.name ?? ''),
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: since('NamesAccepted') },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: since('Established') },
    ],
  };
}
