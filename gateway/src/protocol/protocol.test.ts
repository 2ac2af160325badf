import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  CLOSE_LEASE_EXPIRED,
  CLOSE_POLICY_VIOLATION,
  CLOSE_REPLACED,
  CLOSE_TRY_AGAIN_LATER,
  CONNECT_PATH,
  decodeConfigFrame,
  encodeConfigFrame,
  formatApiKey,
  gatewayMessage,
  GATEWAY_API_KEY_PATTERN,
  GZIP_THRESHOLD_BYTES,
  MAX_HEALTH_TARGETS,
  MAX_LOG_ENTRIES_PER_BATCH,
  MAX_NACK_ERROR_LENGTH,
  MAX_STRING_LENGTH,
  REQUEST_ID_PATTERN,
  tenantIdOfApiKey,
} from './index.js';

const HASH = 'a'.repeat(64);
const TIME = '2026-11-29T12:00:00.000Z';
const hello = { type: 'hello', nodeId: 'gw-1.example:w1', version: '0.1.0', configVersion: 3, configHash: HASH };
const logEntry = { requestId: 'req-1', method: 'GET', pathTemplate: '/users/:id', status: 200, latencyMs: 1.5, route: 'get-user', time: TIME };
const errorEvent = { code: 'upstream_error', service: 'users', count: 2, time: TIME };

/** A message as a gateway sends it, with one field replaced. */
const withField = (message: object, field: string, value: unknown) => ({ ...message, [field]: value });
const accepted = (message: unknown) => gatewayMessage.safeParse(message).success;

test('every message a gateway sends is accepted, up to each limit', () => {
  const cases: [string, unknown][] = [
    ['hello', hello],
    ['hello of a gateway with no config yet', { ...hello, configVersion: null, configHash: null }],
    ['hello with a 128-character node id', withField(hello, 'nodeId', 'n'.repeat(128))],
    ['ack', { type: 'ack', version: 3, hash: HASH }],
    ['nack at its longest error', { type: 'nack', version: 4, error: 'e'.repeat(MAX_NACK_ERROR_LENGTH) }],
    ['logs', { type: 'logs', entries: [logEntry, { ...logEntry, consumer: 'partner-a', time: '2026-11-29T13:00:00+01:00' }] }],
    ['logs with the most entries', { type: 'logs', entries: Array.from({ length: MAX_LOG_ENTRIES_PER_BATCH }, () => logEntry) }],
    ['log entry with strings at their longest', { type: 'logs', entries: [withField(logEntry, 'pathTemplate', 'p'.repeat(MAX_STRING_LENGTH))] }],
    ['errors', { type: 'errors', events: [errorEvent] }],
    ['errors with the most events', { type: 'errors', events: Array.from({ length: MAX_LOG_ENTRIES_PER_BATCH }, () => errorEvent) }],
    ['health', { type: 'health', targets: [{ service: 'users', target: '10.0.0.1:8080', healthy: false }] }],
    ['health with no targets', { type: 'health', targets: [] }],
  ];
  for (const [name, message] of cases) assert.ok(accepted(message), name);
});

test('malformed and oversized gateway messages are refused', () => {
  const cases: [string, unknown][] = [
    ['health with a field too many', { type: 'health', targets: [{ service: 's', target: 'a:1', healthy: true, extra: 1 }] }],
    ['health target over 256 characters', { type: 'health', targets: [{ service: 's', target: 't'.repeat(MAX_STRING_LENGTH + 1), healthy: false }] }],
    // The schema refuses a type it does not list; the control plane counts and ignores such a message before
    // validating (hub/unknown-message-types.ts), so only a malformed message of a listed type closes 1008.
    ['unknown type', { type: 'metrics', samples: [] }],
    ['health target without healthy', { type: 'health', targets: [{ service: 's', target: 't:1' }] }],
    ['health over the target limit', { type: 'health', targets: Array.from({ length: MAX_HEALTH_TARGETS + 1 }, () => ({ service: 's', target: 't:1', healthy: true })) }],
    ['health with an extra field', { type: 'health', targets: [{ service: 's', target: 'a:80', healthy: true, address: '10.0.0.1' }] }],
    ['no type', { nodeId: 'gw-1' }],
    ['an extra field', { ...hello, extra: true }],
    ['node id with a space', withField(hello, 'nodeId', 'gw 1')],
    ['node id of 129 characters', withField(hello, 'nodeId', 'n'.repeat(129))],
    ['empty node id', withField(hello, 'nodeId', '')],
    ['version over 256 characters', withField(hello, 'version', 'v'.repeat(MAX_STRING_LENGTH + 1))],
    ['NUL in the version', withField(hello, 'version', '0.1\u00000')],
    ['negative config version', withField(hello, 'configVersion', -1)],
    ['config hash not SHA-256 hex', withField(hello, 'configHash', 'A'.repeat(64))],
    ['ack of a fractional version', { type: 'ack', version: 1.5, hash: HASH }],
    ['ack without hash', { type: 'ack', version: 1 }],
    ['nack error over the limit', { type: 'nack', version: 4, error: 'e'.repeat(MAX_NACK_ERROR_LENGTH + 1) }],
    ['NUL in a nack error', { type: 'nack', version: 4, error: 'bad\u0000' }],
    ['logs over the batch limit', { type: 'logs', entries: Array.from({ length: MAX_LOG_ENTRIES_PER_BATCH + 1 }, () => logEntry) }],
    ['log string over 256 characters', { type: 'logs', entries: [withField(logEntry, 'route', 'r'.repeat(MAX_STRING_LENGTH + 1))] }],
    ['NUL in a log entry', { type: 'logs', entries: [withField(logEntry, 'requestId', 'a\u0000b')] }],
    ['status below 100', { type: 'logs', entries: [withField(logEntry, 'status', 99)] }],
    ['status above 599', { type: 'logs', entries: [withField(logEntry, 'status', 600)] }],
    ['latency over a day', { type: 'logs', entries: [withField(logEntry, 'latencyMs', 86_400_001)] }],
    ['time that is not ISO 8601', { type: 'logs', entries: [withField(logEntry, 'time', 'yesterday')] }],
    ['errors over the batch limit', { type: 'errors', events: Array.from({ length: MAX_LOG_ENTRIES_PER_BATCH + 1 }, () => errorEvent) }],
    ['error count of zero', { type: 'errors', events: [withField(errorEvent, 'count', 0)] }],
    ['error count over a billion', { type: 'errors', events: [withField(errorEvent, 'count', 1_000_000_001)] }],
  ];
  for (const [name, message] of cases) assert.ok(!accepted(message), name);
});

test('a config frame is text up to 8 KiB and gzip above, and the gateway decodes both to the same message', () => {
  const small = encodeConfigFrame(7, HASH, { services: [] });
  assert.equal(small.binary, false);
  assert.equal(small.data.toString(), `{"type":"config","version":7,"hash":"${HASH}","config":{"services":[]}}`);
  assert.deepEqual(decodeConfigFrame(small.data, small.binary, 1024), { type: 'config', version: 7, config: { services: [] } });

  const config = { services: [{ name: 'users', url: `http://users.internal/${'x'.repeat(GZIP_THRESHOLD_BYTES)}` }] };
  const large = encodeConfigFrame(8, HASH, config);
  assert.equal(large.binary, true);
  assert.ok(large.bytes > GZIP_THRESHOLD_BYTES && large.data.length < large.bytes);
  assert.deepEqual(decodeConfigFrame(large.data, large.binary, 1024 * 1024), { type: 'config', version: 8, config });
});

test('the gateway refuses config frames past MAX_CONFIG_BYTES, not JSON, or not a config message', () => {
  const frame = encodeConfigFrame(1, HASH, { services: [] });
  const text = (value: string) => Buffer.from(value);
  const cases: [string, Buffer, boolean, string][] = [
    ['text over the limit', frame.data, false, 'config exceeds MAX_CONFIG_BYTES (10)'],
    ['gzip that inflates past the limit', gzipSync('x'.repeat(4096)), true, 'config message is not valid gzip or exceeds MAX_CONFIG_BYTES (1024)'],
    ['binary that is not gzip', text('{"type":"config"}'), true, 'config message is not valid gzip or exceeds MAX_CONFIG_BYTES (1024)'],
    ['not JSON', text('{"type":'), false, 'message is not JSON'],
    ['null', text('null'), false, 'message is not JSON'],
    ['another type', text('{"type":"ping","version":1}'), false, 'unexpected message type ping'],
    ['no type', text('[1,2]'), false, 'unexpected message type undefined'],
    ['a version that is not a number', text('{"type":"config","version":"1","config":{}}'), false, 'unexpected message type config'],
  ];
  for (const [name, data, binary, error] of cases) {
    const maxBytes = name === 'text over the limit' ? 10 : 1024;
    assert.deepEqual(decodeConfigFrame(data, binary, maxBytes), { error }, name);
  }
  // What the config store refuses (and the gateway nacks) is not the frame's business.
  assert.deepEqual(decodeConfigFrame(text('{"type":"config","version":2}'), false, 1024), { type: 'config', version: 2 });
});

test('the path, the close codes, the API key format and the request-id format are what both sides have always used', () => {
  assert.equal(CONNECT_PATH, '/gateway/v1/connect');
  assert.deepEqual([CLOSE_POLICY_VIOLATION, CLOSE_TRY_AGAIN_LATER, CLOSE_REPLACED, CLOSE_LEASE_EXPIRED], [1008, 1013, 4409, 4408]);
  const tenantId = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const key = `gw_${tenantId}_${'0123456789abcdef'.repeat(2)}`;
  assert.ok(GATEWAY_API_KEY_PATTERN.test(key));
  assert.equal(tenantIdOfApiKey(key), tenantId);
  assert.equal(formatApiKey(tenantId, '0123456789abcdef'.repeat(2)), key);
  for (const bad of [key.toUpperCase(), `${key}0`, key.slice(0, -1), `gw_not-a-uuid_${'0'.repeat(32)}`, `x${key}`, '']) {
    assert.equal(tenantIdOfApiKey(bad), null, bad);
  }
  assert.ok(REQUEST_ID_PATTERN.test('a'.repeat(128)));
  assert.ok(REQUEST_ID_PATTERN.test('trace-1.2_3'));
  for (const bad of ['', 'a'.repeat(129), 'has space', 'semi;colon']) assert.ok(!REQUEST_ID_PATTERN.test(bad), bad);
});
