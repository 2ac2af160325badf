// Finds fields the Kubernetes API does not define (what `kubectl apply --validate=strict` refuses), using
// the attribute maps of @kubernetes/client-node's models, which are generated from the Kubernetes OpenAPI.
// kubernetes-models checks types, enums and required fields but lets unknown fields through.
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
}
interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}

const models = k8s as unknown as Record<string, ModelClass | undefined>;
const opaque = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString', 'object', 'any']);

function modelOf(type: string): ModelClass | undefined {
  const model = models[type];
  return typeof model?.getAttributeTypeMap === 'function' ? model : undefined;
}

function walk(value: unknown, type: string, path: string, found: string[]): void {
  if (value === null || value === undefined || opaque.has(type)) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, array[1]!, `${path}[${index}]`, found));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, map[1]!, `${path}.${key}`, found);
    return;
  }
  const model = modelOf(type);
  if (model === undefined || typeof value !== 'object' || Array.isArray(value)) return;
  const attributes = model.getAttributeTypeMap();
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    if (attribute === undefined) found.push(`${path}.${key}`.replace(/^\./, ''));
    else walk(item, attribute.type, `${path}.${key}`, found);
  }
}

/** The client-node model of a built-in kind (V1Deployment, V2HorizontalPodAutoscaler…), if there is one. */
export function builtInModelName(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').at(-1) ?? '';
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return modelOf(name) === undefined ? undefined : name;
}

/** Paths of fields no Kubernetes schema defines; undefined when the kind is not built in (a CRD). */
export function unknownFields(object: { apiVersion: string; kind: string }): string[] | undefined {
  const model = builtInModelName(object.apiVersion, object.kind);
  if (model === undefined) return undefined;
  const found: string[] = [];
  walk(object, model, '', found);
  return found;
}
