import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { verifyHs256, type Hs256Rules } from './verify-hs256.js';
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

test('attack matrix: every segment must be canonical unpadded base64url', () => {
  const good = signHs256(valid, SECRET);
  const [h, p, s] = good.split('.') as [string, string, string];
  // Node's decoder would read each of these as the same bytes as the original segment.
  const lastBitsFlipped = (segment: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(segment.at(-1) as string);
    return `${segment.slice(0, -1)}${alphabet[last ^ 1]}`;
  };
  assert.equal(s.length % 4, 3, 'a 32-byte signature leaves two spare bits in its last character');
  const cases: [string, string][] = [
    [`${h}.${p}.${s}=`, 'bad_signature'],
    [`${h}.${p}.${s}!`, 'bad_signature'],
    [`${h}.${p}.${lastBitsFlipped(s)}`, 'bad_signature'],
    [`${h}=.${p}.${s}`, 'malformed_token'],
    // The signature covers the payload's text, so a respelled payload fails there first.
    [`${h}.${p}=.${s}`, 'bad_signature'],
    [`${h}.${p}!.${s}`, 'bad_signature'],
  ];
  for (const [token, expected] of cases) assert.equal(reasonOf(token), expected, token.slice(-50));
  // A payload spelled with non-canonical trailing bits is refused even when correctly signed under the secret.
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ ...valid, pad: 'x' })).toString('base64url');
  assert.notEqual(payload.length % 4, 0, 'the payload has spare bits to play with');
  const respelled = `${header}.${lastBitsFlipped(payload)}`;
  assert.equal(Buffer.from(lastBitsFlipped(payload), 'base64url').equals(Buffer.from(payload, 'base64url')), true);
  const signed = `${respelled}.${createHmac('sha256', SECRET).update(respelled).digest('base64url')}`;
  assert.equal(reasonOf(signed), 'malformed_token');
});

test('attack matrix: crit, iat in the future, issuer and audience', () => {
  const rules = { issuer: 'https://idp.example.com/', audience: 'orders-api' };
  const reason = (token: string, withRules: Hs256Rules) => {
    const result = verifyHs256(token, key, NOW, withRules);
    return result.ok ? 'ok' : result.reason;
  };
  const claims = { ...valid, iss: rules.issuer, aud: rules.audience };
  const cases: [string, string, Hs256Rules][] = [
    [signHs256(claims, SECRET), 'ok', rules],
    [signHs256(claims, SECRET, { alg: 'HS256', typ: 'JWT', crit: ['exp'] }), 'unsupported_critical_header', rules],
    [signHs256(claims, SECRET, { alg: 'HS256', crit: [] }), 'unsupported_critical_header', {}],
    [signHs256({ ...claims, iat: NOW + 31 }, SECRET), 'token_issued_in_future', rules],
    [signHs256({ ...claims, iat: NOW + 29 }, SECRET), 'ok', rules],
    [signHs256({ ...claims, iat: NOW - 3600 }, SECRET), 'ok', rules],
    [signHs256({ ...claims, iat: 'yesterday' }, SECRET), 'malformed_token', rules],
    [signHs256({ ...claims, iss: 'https://evil.example.com/' }, SECRET), 'wrong_issuer', rules],
    [signHs256({ ...valid, aud: rules.audience }, SECRET), 'wrong_issuer', rules],
    [signHs256({ ...valid, iss: 'anyone' }, SECRET), 'ok', {}],
    [signHs256({ ...claims, aud: 'billing-api' }, SECRET), 'wrong_audience', rules],
    [signHs256({ ...claims, aud: ['billing-api', 'orders-api'] }, SECRET), 'ok', rules],
    [signHs256({ ...claims, aud: ['billing-api'] }, SECRET), 'wrong_audience', rules],
    [signHs256({ ...claims, aud: [['orders-api']] }, SECRET), 'wrong_audience', rules],
    [signHs256({ ...claims, aud: undefined }, SECRET), 'wrong_audience', rules],
    [signHs256({ ...claims, aud: 'orders-api ' }, SECRET), 'wrong_audience', rules],
  ];
  for (const [token, expected, withRules] of cases) assert.equal(reason(token, withRules), expected, JSON.stringify(withRules));
});

test('JWT_ACCEPTED_SECRET verifies beside JWT_SECRET; a third secret does not', () => {
  const accepted = Buffer.from('the-accepted-secret-during-rotation-0123');
  const rules = { acceptedSecret: accepted };
  assert.equal(verifyHs256(signHs256(valid, accepted.toString()), key, NOW, rules).ok, true);
  assert.equal(verifyHs256(signHs256(valid, SECRET), key, NOW, rules).ok, true);
  assert.equal(verifyHs256(signHs256(valid, accepted.toString()), key, NOW).ok, false);
  const third = verifyHs256(signHs256(valid, 'yet-another-secret-nobody-configured-42'), key, NOW, rules);
  assert.deepEqual(third, { ok: false, reason: 'bad_signature' });
});
