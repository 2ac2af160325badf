import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readJwk, readJwks } from './jwk.js';
import { makeKey } from '../../testing/jwt-idp.js';

test('public RSA, EC and Ed25519 JWKs are read with their kid and alg', () => {
  for (const alg of ['RS256', 'PS384', 'ES256', 'ES384', 'EdDSA'] as const) {
    const read = readJwk(makeKey(alg, `k-${alg}`).jwk);
    assert.ok(read.ok, alg);
    assert.equal(read.key.kid, `k-${alg}`);
    assert.equal(read.key.alg, alg);
  }
});

test("a JWK whose alg, kty and crv disagree is refused", () => {
  const rsa = makeKey('RS256', 'r').jwk;
  const ec = makeKey('ES256', 'e').jwk;
  assert.equal(readJwk({ ...rsa, alg: 'ES256' }).ok, false);
  assert.equal(readJwk({ ...ec, alg: 'ES384' }).ok, false, 'P-256 key labelled ES384');
  assert.equal(readJwk({ ...ec, crv: 'Ed25519' }).ok, false);
  assert.equal(readJwk({ ...ec, alg: 'HS256' }).ok, false);
  assert.equal(readJwk({ ...rsa, use: 'enc' }).ok, false);
});

test('private and symmetric key material is refused, and so is an RSA key under 2048 bits', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  assert.equal(readJwk(privateKey.export({ format: 'jwk' })).ok, false);
  assert.equal(readJwk({ kty: 'oct', k: 'c2VjcmV0' }).ok, false);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  const read = readJwk(small);
  assert.equal(read.ok, false);
  assert.match(read.ok ? '' : read.problem, /2048/);
});

test('a JWKS keeps its usable keys, skips the others, and is refused when none is usable', () => {
  const good = makeKey('ES256', 'a').jwk;
  const read = readJwks({ keys: [good, { kty: 'oct', k: 'AA' }, { kty: 'RSA', n: 'x', e: 'AQAB' }] });
  assert.ok(read.ok);
  assert.equal(read.keys.length, 1);
  assert.equal(read.skipped, 2);
  assert.equal(readJwks({ keys: [{ kty: 'oct', k: 'AA' }] }).ok, false);
  assert.equal(readJwks({ nokeys: [] }).ok, false);
  assert.equal(readJwks('x').ok, false);
});
