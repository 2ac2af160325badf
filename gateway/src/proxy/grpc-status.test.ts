import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGrpcMessage, grpcStatusFor, isGrpcContentType, parseGrpcTimeout } from './grpc-status.js';

test('every refusal status maps to the gRPC status of issue 15', () => {
  const table: [number, number][] = [
    [400, 3], [401, 16], [403, 7], [404, 12], [408, 4], [413, 8], [421, 14], [429, 8], [500, 13], [502, 14], [503, 14], [504, 4], [418, 2],
  ];
  for (const [http, grpc] of table) assert.equal(grpcStatusFor(http), grpc, `HTTP ${http}`);
});

test('gRPC content types are recognised, others are not', () => {
  for (const type of ['application/grpc', 'application/grpc+proto', 'Application/GRPC+json', 'application/grpc-web']) assert.equal(isGrpcContentType(type), true, type);
  for (const type of [undefined, '', 'application/json', 'text/grpc']) assert.equal(isGrpcContentType(type), false, String(type));
});

test('grpc-timeout parses every unit, rounds up to 1 ms, and refuses malformed values', () => {
  assert.equal(parseGrpcTimeout('5S'), 5_000);
  assert.equal(parseGrpcTimeout('100m'), 100);
  assert.equal(parseGrpcTimeout('2M'), 120_000);
  assert.equal(parseGrpcTimeout('1H'), 3_600_000);
  assert.equal(parseGrpcTimeout('1500u'), 2);
  assert.equal(parseGrpcTimeout('1n'), 1);
  assert.equal(parseGrpcTimeout('99999999H'), 99_999_999 * 3_600_000);
  for (const bad of ['', '5', 'S', '5s', '123456789S', '-1S', '1.5S', ' 5S', '5S ', '0x10S', '5SS']) assert.equal(parseGrpcTimeout(bad), 'malformed', JSON.stringify(bad));
});

test('grpc-message is percent-encoded outside printable ASCII', () => {
  assert.equal(encodeGrpcMessage('no route matches'), 'no route matches');
  assert.equal(encodeGrpcMessage('100% é\n'), '100%25 %C3%A9%0A');
});
