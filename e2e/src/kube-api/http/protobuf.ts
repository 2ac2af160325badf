// Decodes the Kubernetes protobuf request bodies kubectl's typed clients send (`kubectl create namespace|secret|
// configmap|serviceaccount|role|rolebinding|...`) into the JSON form the API works with. Responses stay JSON,
// which those clients accept. Kinds not listed here answer 415, as the real server does for unknown encodings.
import { ApiError } from '../errors.js';

type Scalar = 'string' | 'bytes' | 'int' | 'bool';
interface Field {
  name: string;
  type: Scalar | 'time' | 'stringMap' | 'bytesMap' | Message;
  repeated?: boolean;
}
interface Message {
  fields: Record<number, Field>;
}

const time: Field['type'] = 'time';
const ownerReference: Message = { fields: { 1: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' }, 5: { name: 'apiVersion', type: 'string' }, 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' } } };
const objectMeta: Message = {
  fields: {
    1: { name: 'name', type: 'string' },
    2: { name: 'generateName', type: 'string' },
    3: { name: 'namespace', type: 'string' },
    5: { name: 'uid', type: 'string' },
    6: { name: 'resourceVersion', type: 'string' },
    7: { name: 'generation', type: 'int' },
    8: { name: 'creationTimestamp', type: time },
    9: { name: 'deletionTimestamp', type: time },
    10: { name: 'deletionGracePeriodSeconds', type: 'int' },
    11: { name: 'labels', type: 'stringMap' },
    12: { name: 'annotations', type: 'stringMap' },
    13: { name: 'ownerReferences', type: ownerReference, repeated: true },
    14: { name: 'finalizers', type: 'string', repeated: true },
  },
};
const metadata: Field = { name: 'metadata', type: objectMeta };
const objectReference: Message = { fields: { 1: { name: 'kind', type: 'string' }, 2: { name: 'namespace', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' }, 5: { name: 'apiVersion', type: 'string' }, 6: { name: 'resourceVersion', type: 'string' }, 7: { name: 'fieldPath', type: 'string' } } };
const policyRule: Message = { fields: { 1: { name: 'verbs', type: 'string', repeated: true }, 2: { name: 'apiGroups', type: 'string', repeated: true }, 3: { name: 'resources', type: 'string', repeated: true }, 4: { name: 'resourceNames', type: 'string', repeated: true }, 5: { name: 'nonResourceURLs', type: 'string', repeated: true } } };
const subject: Message = { fields: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiGroup', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'namespace', type: 'string' } } };
const roleRef: Message = { fields: { 1: { name: 'apiGroup', type: 'string' }, 2: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' } } };
const binding: Message = { fields: { 1: metadata, 2: { name: 'subjects', type: subject, repeated: true }, 3: { name: 'roleRef', type: roleRef } } };

const deleteOptions: Message = {
  fields: {
    1: { name: 'gracePeriodSeconds', type: 'int' },
    2: { name: 'preconditions', type: { fields: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } } } },
    3: { name: 'orphanDependents', type: 'bool' },
    4: { name: 'propagationPolicy', type: 'string' },
    5: { name: 'dryRun', type: 'string', repeated: true },
  },
};

/** Messages by `apiVersion/kind`. */
const kinds: Record<string, Message> = {
  'v1/DeleteOptions': deleteOptions,
  'meta.k8s.io/v1/DeleteOptions': deleteOptions,
  'v1/Namespace': { fields: { 1: metadata, 2: { name: 'spec', type: { fields: { 1: { name: 'finalizers', type: 'string', repeated: true } } } } } },
  'v1/ConfigMap': { fields: { 1: metadata, 2: { name: 'data', type: 'stringMap' }, 3: { name: 'binaryData', type: 'bytesMap' }, 4: { name: 'immutable', type: 'bool' } } },
  'v1/Secret': { fields: { 1: metadata, 2: { name: 'data', type: 'bytesMap' }, 3: { name: 'type', type: 'string' }, 4: { name: 'stringData', type: 'stringMap' }, 5: { name: 'immutable', type: 'bool' } } },
  'v1/ServiceAccount': { fields: { 1: metadata, 2: { name: 'secrets', type: objectReference, repeated: true }, 3: { name: 'imagePullSecrets', type: { fields: { 1: { name: 'name', type: 'string' } } }, repeated: true }, 4: { name: 'automountServiceAccountToken', type: 'bool' } } },
  'rbac.authorization.k8s.io/v1/Role': { fields: { 1: metadata, 2: { name: 'rules', type: policyRule, repeated: true } } },
  'rbac.authorization.k8s.io/v1/ClusterRole': { fields: { 1: metadata, 2: { name: 'rules', type: policyRule, repeated: true } } },
  'rbac.authorization.k8s.io/v1/RoleBinding': binding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': binding,
};

const typeMeta: Message = { fields: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } };
const unknown: Message = { fields: { 1: { name: 'typeMeta', type: typeMeta }, 2: { name: 'raw', type: 'bytes' }, 3: { name: 'contentEncoding', type: 'string' }, 4: { name: 'contentType', type: 'string' } } };

class Reader {
  #pos = 0;
  constructor(readonly bytes: Buffer) {}
  get done(): boolean {
    return this.#pos >= this.bytes.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.#pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  take(length: number): Buffer {
    const slice = this.bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return slice;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(Number(this.varint()));
    else if (wireType === 5) this.take(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function decodeMapEntry(bytes: Buffer, valueAsBytes: boolean): [string, string] {
  const reader = new Reader(bytes);
  let key = '';
  let value = '';
  while (!reader.done) {
    const tag = Number(reader.varint());
    const field = tag >> 3;
    if ((tag & 7) !== 2) {
      reader.skip(tag & 7);
      continue;
    }
    const data = reader.take(Number(reader.varint()));
    if (field === 1) key = data.toString('utf8');
    else if (field === 2) value = valueAsBytes ? data.toString('base64') : data.toString('utf8');
  }
  return [key, value];
}

function decodeTime(bytes: Buffer): string | undefined {
  const reader = new Reader(bytes);
  let seconds = 0n;
  while (!reader.done) {
    const tag = Number(reader.varint());
    if (tag >> 3 === 1 && (tag & 7) === 0) seconds = reader.varint();
    else reader.skip(tag & 7);
  }
  if (seconds === 0n) return undefined;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeMessage(bytes: Buffer, message: Message): Record<string, unknown> {
  const reader = new Reader(bytes);
  const result: Record<string, unknown> = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const field = message.fields[tag >> 3];
    const wireType = tag & 7;
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    let value: unknown;
    if (wireType === 0) {
      const raw = reader.varint();
      value = field.type === 'bool' ? raw !== 0n : Number(BigInt.asIntN(64, raw));
    } else if (wireType === 2) {
      const data = reader.take(Number(reader.varint()));
      if (field.type === 'string') value = data.toString('utf8');
      else if (field.type === 'bytes') value = data;
      else if (field.type === 'time') value = decodeTime(data);
      else if (field.type === 'stringMap' || field.type === 'bytesMap') {
        const [key, entry] = decodeMapEntry(data, field.type === 'bytesMap');
        result[field.name] = { ...((result[field.name] as Record<string, string> | undefined) ?? {}), [key]: entry };
        continue;
      } else if (typeof field.type === 'object') value = decodeMessage(data, field.type);
    } else {
      reader.skip(wireType);
      continue;
    }
    // Go's protobuf writes zero values that JSON's omitempty leaves out: drop them the same way.
    if (!field.repeated && (value === '' || value === 0 || value === undefined)) continue;
    if (field.repeated) result[field.name] = [...((result[field.name] as unknown[] | undefined) ?? []), value];
    else result[field.name] = value;
  }
  return result;
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The JSON object inside a `application/vnd.kubernetes.protobuf` body. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(magic)) throw new ApiError(400, 'BadRequest', 'the protobuf body does not start with the Kubernetes magic number');
  const envelope = decodeMessage(body.subarray(4), unknown) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Buffer };
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const message = kinds[`${apiVersion}/${kind}`];
  if (!message) throw new ApiError(415, 'UnsupportedMediaType', `the protobuf encoding of ${apiVersion}/${kind} is not supported by this test server; send JSON`);
  return { apiVersion, kind, ...decodeMessage(envelope.raw ?? Buffer.alloc(0), message) };
}
