import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOOPBACK_CAPACITY, LoopbackAddresses, loopbackAddress } from './loopback-addresses.js';

test('addresses run 127.0.10.1 … 127.0.10.254, then 127.0.11.1, and stop before leaving 127.0.255.0/24', () => {
  assert.equal(loopbackAddress(0), '127.0.10.1');
  assert.equal(loopbackAddress(253), '127.0.10.254');
  assert.equal(loopbackAddress(254), '127.0.11.1');
  assert.equal(loopbackAddress(LOOPBACK_CAPACITY - 1), '127.0.255.254');
  assert.throws(() => loopbackAddress(LOOPBACK_CAPACITY), RangeError);
  assert.throws(() => loopbackAddress(-1), RangeError);
});

test('a Gateway keeps its address, two Gateways never share one, and a released address is reused lowest first', () => {
  const addresses = new LoopbackAddresses();
  assert.equal(addresses.allocate('infra/a'), '127.0.10.1');
  assert.equal(addresses.allocate('infra/b'), '127.0.10.2');
  assert.equal(addresses.allocate('infra/a'), '127.0.10.1');
  addresses.release('infra/a');
  assert.equal(addresses.allocate('infra/c'), '127.0.10.1');
  assert.equal(addresses.allocate('infra/a'), '127.0.10.3');
});
