// Finds schema properties without a description: every CRD field must say something in `kubectl explain`, and
// every chart value in values.schema.json must say what it does.

/** A JSON-Schema-like node: only what the walk reads. */
export interface SchemaNode {
  description?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  $defs?: Record<string, SchemaNode>;
  definitions?: Record<string, SchemaNode>;
}

const isNode = (value: unknown): value is SchemaNode => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Paths (`spec.rateLimit.limit`, `spec.match.paths[]`) of the properties below `schema` that have no non-blank description. */
export function undescribedProperties(schema: SchemaNode, path = ''): string[] {
  const found: string[] = [];
  const join = (name: string) => (path === '' ? name : `${path}.${name}`);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!isNode(property)) continue;
    if (typeof property.description !== 'string' || property.description.trim() === '') found.push(join(name));
    found.push(...undescribedProperties(property, join(name)));
  }
  const items = Array.isArray(schema.items) ? schema.items : schema.items === undefined ? [] : [schema.items];
  for (const item of items) if (isNode(item)) found.push(...undescribedProperties(item, `${path}[]`));
  if (isNode(schema.additionalProperties)) found.push(...undescribedProperties(schema.additionalProperties, `${path}.*`));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    if (isNode(branch)) found.push(...undescribedProperties(branch, path));
  }
  for (const [name, definition] of Object.entries({ ...(schema.$defs ?? {}), ...(schema.definitions ?? {}) })) {
    if (isNode(definition)) found.push(...undescribedProperties(definition, `#/$defs/${name}`));
  }
  return found;
}

interface CrdDocument {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: { versions?: Array<{ name?: unknown; schema?: { openAPIV3Schema?: SchemaNode } }> };
}

/** `<crd name> <version>: <path>` for every undescribed field of every version of a CustomResourceDefinition. */
export function undescribedCrdFields(crd: CrdDocument): string[] {
  if (crd.kind !== 'CustomResourceDefinition') return [];
  return (crd.spec?.versions ?? []).flatMap((version) => {
    const schema = version.schema?.openAPIV3Schema;
    const where = `${String(crd.metadata?.name)} ${String(version.name)}`;
    if (schema === undefined) return [`${where}: no openAPIV3Schema`];
    // The root metadata is the one field that must stay bare: the API server refuses anything but its type there
    // (even a description), and kubectl explain shows ObjectMeta's own.
    return undescribedProperties(schema)
      .filter((path) => path !== 'metadata')
      .map((path) => `${where}: ${path}`);
  });
}
