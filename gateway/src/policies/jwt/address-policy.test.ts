import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRefusal } from './address-policy.js';

test('link-local and cloud-metadata addresses are refused in every spelling', () => {
  for (const address of [
    '169.254.169.254',
    '169.254.170.2',
    '169.254.0.1',
    'fe80::1',
    'fe80::1%eth0',
    'FEBF::1',
    'fd00:ec2::254',
    'fd00:0ec2:0:0:0:0:0:254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '100.100.100.200',
    '168.63.129.16',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    'ff02::1',
  ]) {
    assert.notEqual(addressRefusal(address), undefined, address);
  }
});

test('loopback, private and public addresses stay allowed (127.0.0.1 is not link-local)', () => {
  for (const address of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '172.16.0.1', '8.8.8.8', '::1', 'fd00::1', 'fd00:ec2::253', '2001:db8::1', '::ffff:10.0.0.1']) {
    assert.equal(addressRefusal(address), undefined, address);
  }
});

test('text that is not an IP address is refused', () => {
  for (const text of ['', 'localhost', '169.254.169.254.nip.io', '1.2.3', '01.2.3.4', ':::1']) assert.notEqual(addressRefusal(text), undefined, text);
});
