import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRulesOf, ipv4Number, ipv6Number } from './address-ranges.js';

test('IPv4 text parses to its number; anything else is -1', () => {
  assert.equal(ipv4Number('0.0.0.0'), 0);
  assert.equal(ipv4Number('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(ipv4Number('10.1.2.3'), 0x0a010203);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.0004', '::1']) assert.equal(ipv4Number(bad), -1, bad);
});

test('IPv6 text parses with ::, an embedded IPv4 tail and a zone', () => {
  assert.equal(ipv6Number('::'), 0n);
  assert.equal(ipv6Number('::1'), 1n);
  assert.equal(ipv6Number('2001:db8::1'), 0x20010db8000000000000000000000001n);
  assert.equal(ipv6Number('2001:db8:0:0:0:0:0:1'), 0x20010db8000000000000000000000001n);
  assert.equal(ipv6Number('::ffff:10.0.0.1'), 0xffff0a000001n);
  assert.equal(ipv6Number('64:ff9b::192.0.2.33'), 0x0064ff9b0000000000000000c0000221n);
  assert.equal(ipv6Number('fe80::1%eth0'), 0xfe800000000000000000000000000001n);
  for (const bad of ['', '1.2.3.4', '2001:db8::1::2', 'gggg::1', '1:2:3:4:5:6:7:8:9']) assert.equal(ipv6Number(bad), undefined, bad);
});

test('ranges decide the edges of each CIDR, merge overlaps, and keep the families apart', () => {
  const rules = addressRulesOf(['10.0.0.0/24', '10.0.0.128/25', '10.0.1.0/24', '192.0.2.7', '2001:db8::/127', '2001:db9::/32']);
  assert.ok(rules !== undefined);
  for (const ip of ['10.0.0.0', '10.0.1.255', '192.0.2.7', '::ffff:10.0.0.9', '2001:db8::1', '2001:db9:ffff::']) assert.equal(rules.contains(ip), true, ip);
  for (const ip of ['9.255.255.255', '10.0.2.0', '192.0.2.6', '192.0.2.8', '2001:db8::2', '2001:dba::', 'junk', '']) assert.equal(rules.contains(ip), false, ip);
  const everyV6 = addressRulesOf(['::/0']);
  assert.equal(everyV6?.contains('10.0.0.1'), false, 'an IPv6 rule never covers an IPv4 client');
  assert.equal(everyV6?.contains('::1'), true);
  assert.equal(addressRulesOf(['0.0.0.0/0'])?.contains('255.255.255.255'), true);
});
