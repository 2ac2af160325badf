import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalConfig, canonicalJson, configHash } from './hash.js';
import { createHash, generateKeyPairSync } from 'node:crypto';

test('canonical JSON sorts keys at every depth and keeps array order', () => {
  const cases: [unknown, string][] = [
    [{ b: 1, a: [{ y: 2, x: 1 }] }, '{"a":[{"x":1,"y":2}],"b":1}'],
    [[3, 1, 2], '[3,1,2]'],
    [{ a: undefined, b: null }, '{"b":null}'],
    [[undefined, () => 1], '[null,null]'],
    [{ f: () => 1, s: Symbol('s') }, '{"f":null,"s":null}'],
    [{ 'k"ey': 'x\n"é', Z: 1, a: 2 }, '{"Z":1,"a":2,"k\\"ey":"x\\n\\"é"}'],
    [{ when: new Date(0) }, '{"when":{}}'],
    [{ n: Number.NaN, m: -0, e: 1e21 }, '{"e":1e+21,"m":0,"n":null}'],
    // Array-index keys sort as text ("10" before "2"), not first and by number as JSON.stringify would put them.
    [{ 2: 'b', 10: 'a', x: { 1: true } }, '{"10":"a","2":"b","x":{"1":true}}'],
    // A parsed __proto__ key is an own key like any other.
    [JSON.parse('{"__proto__":{"a":1},"b":2}'), '{"__proto__":{"a":1},"b":2}'],
    ['text', '"text"'],
    [null, 'null'],
    [undefined, 'null'],
  ];
  for (const [value, expected] of cases) assert.equal(canonicalJson(value), expected);
});

test('equal configs hash equally whatever their key order, and canonicalConfig agrees with configHash', () => {
  const a = { routes: [{ name: 'r', paths: ['/a'], service: 's' }], services: [{ url: 'http://s:1', name: 's' }] };
  const b = { services: [{ name: 's', url: 'http://s:1' }], routes: [{ service: 's', paths: ['/a'], name: 'r' }] };
  assert.equal(configHash(a), configHash(b));
  assert.match(configHash(a), /^[0-9a-f]{64}$/);
  assert.deepEqual(canonicalConfig(b), { json: canonicalJson(a), hash: configHash(a) });
  assert.deepEqual(JSON.parse(canonicalConfig(a).json), a);
});

test('a pushed certificate key counts in the hash by its PKCS#8 fingerprint: one key in two PEM forms hashes equally, another key differently', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const withKey = (key: unknown) => ({ services: [], routes: [], consumers: [], certificates: [{ name: 'web', cert: 'CERT', key }] });
  const fingerprint = createHash('sha256').update(privateKey.export({ type: 'pkcs8', format: 'der' })).digest('hex');

  assert.notEqual(pkcs8, sec1);
  assert.equal(configHash(withKey(pkcs8)), configHash(withKey(sec1)));
  assert.equal(configHash(withKey(pkcs8)), configHash(withKey({ sha256: fingerprint })), 'the control plane hashes the public form');
  assert.notEqual(configHash(withKey(pkcs8)), configHash(withKey(other)));
});
