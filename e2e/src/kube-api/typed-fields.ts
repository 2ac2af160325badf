// The typed fields of built-in kinds the real server decodes with Go types (metav1.Time, metav1.MicroTime,
// resource.Quantity, intstr.IntOrString): a value those types cannot hold is a 400 at decoding, a string an
// IntOrString field refuses (a bad percent, a bad port name) is a 422, and times are stored the way Go writes them.
import { badRequest, type FieldError } from './errors.js';
import { isPlainObject, type KubeObject } from './object.js';

type FieldType = 'time' | 'microTime' | 'quantity' | 'quantityMap' | 'percentOrInt' | 'portNameOrInt';

/** Field paths by storage key; `*` steps into every element of an array. Only kinds NovaGate or its chart write. */
const podTemplate = (prefix: string): Array<[string, FieldType]> =>
  ['containers', 'initContainers'].flatMap((list) => [
    [`${prefix}.${list}.*.resources.limits`, 'quantityMap'],
    [`${prefix}.${list}.*.resources.requests`, 'quantityMap'],
  ]);

const fieldsByStorage: Record<string, Array<[string, FieldType]>> = {
  '/events': [
    ['eventTime', 'microTime'],
    ['series.lastObservedTime', 'microTime'],
    ['firstTimestamp', 'time'],
    ['lastTimestamp', 'time'],
  ],
  'coordination.k8s.io/leases': [
    ['spec.acquireTime', 'microTime'],
    ['spec.renewTime', 'microTime'],
  ],
  'policy/poddisruptionbudgets': [
    ['spec.minAvailable', 'percentOrInt'],
    ['spec.maxUnavailable', 'percentOrInt'],
  ],
  '/services': [['spec.ports.*.targetPort', 'portNameOrInt']],
  'apps/deployments': [
    ['spec.strategy.rollingUpdate.maxSurge', 'percentOrInt'],
    ['spec.strategy.rollingUpdate.maxUnavailable', 'percentOrInt'],
    ...podTemplate('spec.template.spec'),
  ],
  'apps/daemonsets': [
    ['spec.updateStrategy.rollingUpdate.maxSurge', 'percentOrInt'],
    ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'percentOrInt'],
    ...podTemplate('spec.template.spec'),
  ],
  'networking.k8s.io/networkpolicies': [
    ['spec.ingress.*.ports.*.port', 'portNameOrInt'],
    ['spec.egress.*.ports.*.port', 'portNameOrInt'],
  ],
};

/** Every kind's metadata times are metav1.Time. */
const metadataFields: Array<[string, FieldType]> = [
  ['metadata.creationTimestamp', 'time'],
  ['metadata.deletionTimestamp', 'time'],
];

// Go's time.RFC3339 accepts any fractional part; RFC3339Micro ("2006-01-02T15:04:05.000000Z07:00") exactly six digits.
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const rfc3339Micro = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;
const quantityShape = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const quantitySuffix = /^(|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)$/;
const percent = /^[0-9]+%$/;
const ianaServiceName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The instant as Go marshals a metav1.Time (UTC, whole seconds); undefined when Go could not parse it. */
export function normaliseTime(value: string): string | undefined {
  if (!rfc3339.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The instant as Go marshals a metav1.MicroTime (UTC, six digits); undefined when it has not exactly six. */
export function normaliseMicroTime(value: string): string | undefined {
  if (!rfc3339Micro.test(value)) return undefined;
  const micros = /\.(\d{6})/.exec(value)?.[1] ?? '000000';
  const date = new Date(value.replace(/\.\d{6}/, ''));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

/** Why resource.ParseQuantity refuses the value, or undefined when it is a quantity. */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return undefined;
  if (typeof value !== 'string') return 'quantities must be strings or numbers';
  const match = quantityShape.exec(value);
  if (!match || Number.isNaN(Number(match[1]))) return `quantities must match the regular expression '${quantityShape.source}'`;
  return quantitySuffix.test(match[2] ?? '') ? undefined : "unable to parse quantity's suffix";
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value);

/** The values at a path, with their concrete field paths (`spec.ports[0].targetPort`). */
function valuesAt(object: unknown, path: string): Array<[string, unknown, (value: unknown) => void]> {
  let found: Array<[string, unknown, (value: unknown) => void]> = [['', object, () => undefined]];
  for (const step of path.split('.')) {
    const next: typeof found = [];
    for (const [at, value] of found) {
      if (step === '*') {
        if (Array.isArray(value)) value.forEach((item, i) => next.push([`${at}[${i}]`, item, (v) => (value[i] = v)]));
      } else if (isPlainObject(value) && value[step] !== undefined && value[step] !== null) {
        next.push([at === '' ? step : `${at}.${step}`, value[step], (v) => (value[step] = v)]);
      }
    }
    found = next;
  }
  return found;
}

/**
 * Decodes the typed fields of `object` (stored shape) in place, as the real server's Go types would: throws the
 * 400 a decoding failure is, normalises times, and returns the 422 field errors of IntOrString values.
 */
export function decodeTypedFields(storage: string, kind: string, version: string, object: KubeObject): FieldError[] {
  const cannotHandle = (why: string) => badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
  const errors: FieldError[] = [];
  for (const [path, fieldType] of [...metadataFields, ...(fieldsByStorage[storage] ?? [])]) {
    for (const [at, value, set] of valuesAt(object, path)) {
      if (fieldType === 'time' || fieldType === 'microTime') {
        const layout = fieldType === 'time' ? '2006-01-02T15:04:05Z07:00' : '2006-01-02T15:04:05.000000Z07:00';
        if (typeof value !== 'string') throw cannotHandle(`json: cannot unmarshal ${jsonType(value)} into Go struct field ${at} of type string`);
        const normalised = fieldType === 'time' ? normaliseTime(value) : normaliseMicroTime(value);
        if (normalised === undefined) throw cannotHandle(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value)}`);
        set(normalised);
      } else if (fieldType === 'quantityMap') {
        if (!isPlainObject(value)) throw cannotHandle(`json: cannot unmarshal ${jsonType(value)} into Go struct field ${at} of type v1.ResourceList`);
        for (const quantity of Object.values(value)) {
          const problem = quantityProblem(quantity);
          if (problem) throw cannotHandle(problem);
        }
      } else if (fieldType === 'quantity') {
        const problem = quantityProblem(value);
        if (problem) throw cannotHandle(problem);
      } else if (typeof value === 'number') {
        if (!Number.isInteger(value)) throw cannotHandle(`json: cannot unmarshal number ${value} into Go struct field ${at} of type int32`);
      } else if (typeof value !== 'string') {
        throw cannotHandle(`json: cannot unmarshal ${jsonType(value)} into Go struct field ${at} of type int32`);
      } else if (fieldType === 'percentOrInt' && !percent.test(value)) {
        errors.push({ type: 'FieldValueInvalid', field: at, detail: `${JSON.stringify(value)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')` });
      } else if (fieldType === 'portNameOrInt' && (value.length > 15 || !ianaServiceName.test(value) || value.includes('--') || !/[a-z]/.test(value))) {
        errors.push({ type: 'FieldValueInvalid', field: at, detail: `${JSON.stringify(value)}: must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), at most 15 characters, at least one letter` });
      }
    }
  }
  return errors;
}
