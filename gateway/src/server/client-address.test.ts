import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress, parseTrustedProxies } from './client-address.js';

const trusted = parseTrustedProxies('10.0.0.0/8, 127.0.0.1, ::1');

test('an untrusted peer is the client, whatever X-Forwarded-For claims', () => {
  assert.deepEqual(clientAddress('203.0.113.5', '1.2.3.4', trusted), { peer: '203.0.113.5', peerTrusted: false, clientIp: '203.0.113.5' });
  assert.deepEqual(clientAddress('::ffff:203.0.113.5', undefined, undefined), { peer: '203.0.113.5', peerTrusted: false, clientIp: '203.0.113.5' });
});

test('behind trusted proxies the client is the rightmost untrusted X-Forwarded-For address', () => {
  assert.equal(clientAddress('10.1.1.1', '6.6.6.6, 198.51.100.7, 10.2.2.2', trusted).clientIp, '198.51.100.7');
  assert.equal(clientAddress('::ffff:127.0.0.1', '198.51.100.7', trusted).clientIp, '198.51.100.7');
  assert.equal(clientAddress('10.1.1.1', '10.3.3.3, 10.2.2.2', trusted).clientIp, '10.3.3.3', 'all trusted: the leftmost');
  assert.equal(clientAddress('10.1.1.1', 'garbage, 10.2.2.2', trusted).clientIp, '10.2.2.2', 'a malformed hop stops the walk');
  assert.equal(clientAddress('10.1.1.1', undefined, trusted).clientIp, '10.1.1.1');
});

test('TRUSTED_PROXIES entries must be addresses or CIDR ranges', () => {
  assert.equal(parseTrustedProxies(' '), undefined);
  assert.throws(() => parseTrustedProxies('10.0.0.0/33'), /bad prefix length/);
  assert.throws(() => parseTrustedProxies('proxy.internal'), /not an IP address/);
});
