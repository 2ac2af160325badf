import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeConfigChanged,
  encodeGatewayReplaced,
  NOTIFICATION_CHANNELS,
  parseConfigChanged,
  parseGatewayReplaced,
  parseKeyRevoked,
  parseTenantTokens,
} from './notifications.js';

const TENANT = '0b9f6a3e-2f1c-4d8e-9a7b-1c2d3e4f5a6b';
const KEY = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

test('the LISTEN session subscribes to four distinct channels', () => {
  assert.equal(new Set(NOTIFICATION_CHANNELS).size, 4);
});

test('a config notice round-trips, and its payload is the one writers always sent', () => {
  const payload = encodeConfigChanged({ tenantId: TENANT, version: 7 });
  assert.equal(payload, `{"tenantId":"${TENANT}","version":7}`);
  assert.deepEqual(parseConfigChanged(payload), { tenantId: TENANT, version: 7 });
});

test('a gateway-replaced notice round-trips', () => {
  const notice = { tenantId: TENANT, nodeId: 'node-1', connection: 'c-2' };
  assert.equal(encodeGatewayReplaced(notice), `{"tenantId":"${TENANT}","nodeId":"node-1","connection":"c-2"}`);
  assert.deepEqual(parseGatewayReplaced(encodeGatewayReplaced(notice)), notice);
});

test('key-revoked and tenant-tokens payloads (built in SQL) parse', () => {
  assert.deepEqual(parseKeyRevoked(JSON.stringify({ tenantId: TENANT, keyId: KEY })), { tenantId: TENANT, keyId: KEY });
  assert.deepEqual(parseTenantTokens(JSON.stringify({ tenantId: TENANT })), { tenantId: TENANT });
});

test('malformed payloads are refused', () => {
  const parsers = [parseConfigChanged, parseKeyRevoked, parseTenantTokens, parseGatewayReplaced];
  for (const payload of [undefined, '', 'not json', 'null', '42', '"text"', '[]', '{}', '{"tenantId":"not-a-uuid"}', `{"tenantId":"${TENANT.toUpperCase()}"}`]) {
    for (const parse of parsers) assert.equal(parse(payload), null, `${parse.name}(${String(payload)})`);
  }
  assert.equal(parseConfigChanged(JSON.stringify({ tenantId: TENANT, version: '7' })), null);
  assert.equal(parseConfigChanged(JSON.stringify({ tenantId: TENANT })), null);
  assert.equal(parseKeyRevoked(JSON.stringify({ tenantId: TENANT, keyId: 'k' })), null);
  assert.equal(parseKeyRevoked(JSON.stringify({ tenantId: TENANT })), null);
  assert.equal(parseGatewayReplaced(JSON.stringify({ tenantId: TENANT, nodeId: 'n' })), null);
  assert.equal(parseGatewayReplaced(JSON.stringify({ tenantId: TENANT, nodeId: 1, connection: 'c' })), null);
});
