import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { decodeKubernetesProtobuf } from './protobuf.js';

// A minimal protobuf writer, enough to build what Go's typed clients send.
const varint = (n: number): number[] => {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return bytes;
};
const bytesField = (field: number, data: Buffer | string): Buffer => {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.from([...varint((field << 3) | 2), ...varint(payload.length), ...payload]);
};
const intField = (field: number, n: number): Buffer => Buffer.from([...varint(field << 3), ...varint(n)]);
const message = (...fields: Buffer[]): Buffer => Buffer.concat(fields);
const mapEntry = (field: number, key: string, value: Buffer | string): Buffer => bytesField(field, message(bytesField(1, key), bytesField(2, value)));

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = message(bytesField(1, apiVersion), bytesField(2, kind));
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), message(bytesField(1, typeMeta), bytesField(2, raw))]);
}

test('a protobuf Secret from a typed client decodes to its JSON form, bytes as base64 and zero values left out', () => {
  const meta = message(bytesField(1, 'api-key'), bytesField(2, ''), bytesField(3, 'team-a'), mapEntry(11, 'app', 'novagate'), bytesField(14, 'novagate.dev/cleanup'), intField(7, 0));
  const secret = message(bytesField(1, meta), mapEntry(2, 'apiKey', Buffer.from([0xde, 0xad, 0xbe, 0xef])), bytesField(3, 'Opaque'), intField(5, 1));
  assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', secret)), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'api-key', namespace: 'team-a', labels: { app: 'novagate' }, finalizers: ['novagate.dev/cleanup'] },
    data: { apiKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64') },
    type: 'Opaque',
    immutable: true,
  });
});

test('protobuf DeleteOptions decode, and a kind without a known message is 415', () => {
  const options = message(bytesField(4, 'Foreground'), bytesField(2, message(bytesField(1, 'uid-1'))));
  assert.deepEqual(decodeKubernetesProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', options)), { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: 'uid-1' } });
  assert.throws(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', Buffer.alloc(0))), (e: unknown) => e instanceof ApiError && e.code === 415);
  assert.throws(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Secret"}')), (e: unknown) => e instanceof ApiError && e.code === 400);
});
