import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { verifyHs256 } from './verify-hs256.js';
import { signHs256, unsignedToken } from '../../testing/jwt-token.js';

const SECRET = 'a-jwt-secret-of-at-least-32-characters!';
const key = Buffer.from(SECRET);
const NOW = 1_800_000_000;
const valid = { sub: 'mobile-app', exp: NOW + 60 };

function reasonOf(token: string, now = NOW): string {
  const result = verifyHs256(token, key, now);
  return result.ok ? 'ok' : result.reason;
}

test('a well-signed, current HS256 token is accepted with its claims', () => {
  const result = verifyHs256(signHs256(valid, SECRET), key, NOW);
  assert.deepEqual(result, { ok: true, claims: valid });
});

test('attack matrix: none, algorithm confusion, bad signature, tampering, expiry, nbf, missing exp, garbage', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const good = signHs256(valid, SECRET);
  const [h, p, s] = good.split('.') as [string, string, string];
  // RS256 token whose "public key" an attacker hopes the gateway uses as an HMAC secret (algorithm confusion).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsUnsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(valid)}`;
  const rsToken = `${rsUnsigned}.${sign('sha256', Buffer.from(rsUnsigned), privateKey).toString('base64url')}`;
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hsWithPublicKey = `${rsUnsigned.replace(encode({ alg: 'RS256', typ: 'JWT' }), encode({ alg: 'HS256', typ: 'JWT' }))}`;
  const confused = `${hsWithPublicKey}.${createHmac('sha256', pem).update(hsWithPublicKey).digest('base64url')}`;

  const cases: [string, string, number?][] = [
    [unsignedToken(valid, { alg: 'none', typ: 'JWT' }), 'unsupported_algorithm'],
    [unsignedToken(valid, { alg: 'None' }), 'unsupported_algorithm'],
    [`${encode({ alg: 'none' })}.${p}.${s}`, 'unsupported_algorithm'],
    [rsToken, 'unsupported_algorithm'],
    [signHs256(valid, SECRET, { alg: 'HS512' }), 'unsupported_algorithm'],
    [signHs256(valid, SECRET, { typ: 'JWT' }), 'unsupported_algorithm'],
    [confused, 'bad_signature'],
    [signHs256(valid, 'another-secret-of-at-least-32-characters'), 'bad_signature'],
    [`${h}.${encode({ ...valid, sub: 'admin' })}.${s}`, 'bad_signature'],
    [`${h}.${p}.${s.slice(0, -2)}`, 'bad_signature'],
    [`${h}.${p}.`, 'bad_signature'],
    [`${h}.${p}.${s}x`, 'bad_signature'],
    [signHs256({ sub: 'x', exp: NOW - 31 }, SECRET), 'token_expired'],
    [signHs256({ sub: 'x', exp: NOW - 29 }, SECRET), 'ok'],
    [signHs256({ sub: 'x', exp: NOW + 60, nbf: NOW + 31 }, SECRET), 'token_not_yet_valid'],
    [signHs256({ sub: 'x', exp: NOW + 60, nbf: NOW + 29 }, SECRET), 'ok'],
    [signHs256({ sub: 'x' }, SECRET), 'missing_exp'],
    [signHs256({ sub: 'x', exp: '9999999999' }, SECRET), 'missing_exp'],
    ['not-a-jwt', 'malformed_token'],
    ['a.b', 'malformed_token'],
    ['a.b.c.d', 'malformed_token'],
    [`${h}..${s}`, 'malformed_token'],
    [`!!!.${p}.${s}`, 'malformed_token'],
    [`${encode('just a string')}.${p}.${s}`, 'malformed_token'],
  ];
  for (const [token, expected] of cases) assert.equal(reasonOf(token), expected, token.slice(0, 60));
});

test('expiry follows the injected clock', () => {
  const token = signHs256({ sub: 'x', exp: NOW }, SECRET);
  assert.equal(reasonOf(token, NOW + 30), 'ok');
  assert.equal(reasonOf(token, NOW + 31), 'token_expired');
});
