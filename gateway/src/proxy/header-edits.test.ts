import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAllHeaderEdits, compileHeaderEdits, type MutableHeaders } from './header-edits.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';

test('edits remove, then set, then add, with names in lower case', () => {
  const headers: MutableHeaders = { 'x-a': '1', 'x-b': '2', vary: 'Accept' };
  applyAllHeaderEdits(headers, [compileHeaderEdits({ remove: ['X-A'], set: { 'X-B': 'two', 'x-c': '3' }, add: { Vary: 'Origin', 'x-d': '4' } })]);
  assert.deepEqual(headers, { 'x-b': 'two', 'x-c': '3', vary: ['Accept', 'Origin'], 'x-d': '4' });
});

test('request edits cannot bring back what the gateway owns: X-Forwarded-*, X-Request-ID and the consumer are the gateway\'s', () => {
  // The schema refuses these names; even an edit built by hand is overwritten by the gateway's own values.
  const edits = [{ set: [['x-request-id', 'forged'], ['x-forwarded-for', '1.1.1.1'], ['x-consumer-username', 'admin']] as const, add: [], remove: [] }];
  const out = upstreamRequestHeaders({ host: 'a.test' }, { requestId: 'rid', peer: '10.0.0.1', peerTrusted: false, consumerUsername: 'alice', stripped: undefined, upgrade: false, edits });
  assert.equal(out['x-request-id'], 'rid');
  assert.equal(out['x-forwarded-for'], '10.0.0.1');
  assert.equal(out['x-consumer-username'], 'alice');
});

test('response edits apply to the upstream headers; X-Request-ID and RateLimit-* from the gateway win', () => {
  const out = downstreamResponseHeaders({ server: 'x', 'x-request-id': 'upstream' }, 'rid', {
    headers: { 'ratelimit-limit': '10' },
    edits: [compileHeaderEdits({ remove: ['server'], set: { 'ratelimit-limit': '999' } })],
  });
  assert.deepEqual(out, { 'x-request-id': 'rid', 'ratelimit-limit': '10' });
});
