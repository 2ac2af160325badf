import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BASIC_CREDENTIALS_BASE64, parseBasicCredentials } from './basic-credentials.js';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

test('a Basic credential yields the user-id before the first colon and the rest as password', () => {
  assert.deepEqual(parseBasicCredentials(basic('alice:pa:ss word')), { kind: 'credentials', username: 'alice', password: 'pa:ss word' });
  assert.deepEqual(parseBasicCredentials(basic('alice:')), { kind: 'credentials', username: 'alice', password: '' });
});

test('the scheme is case-insensitive and may be followed by several spaces; UTF-8 user-ids decode', () => {
  const encoded = Buffer.from('zoë:pässwörd').toString('base64');
  assert.deepEqual(parseBasicCredentials(`bAsIc   ${encoded}`), { kind: 'credentials', username: 'zoë', password: 'pässwörd' });
});

test('no header, another scheme or a bare "Basic" is a missing credential, not a malformed one', () => {
  assert.equal(parseBasicCredentials(undefined).kind, 'missing');
  assert.equal(parseBasicCredentials('Bearer abc.def.ghi').kind, 'missing');
  assert.equal(parseBasicCredentials('Basic').kind, 'missing');
  assert.equal(parseBasicCredentials('Basicabc').kind, 'missing');
});

test('non-canonical or non-strict base64 is malformed', () => {
  for (const header of [
    'Basic ',
    'Basic YWxpY2U6cHc', // missing padding
    'Basic YWxpY2U6cHc=extra',
    'Basic YWxp Y2U6cHc=', // inner space
    'Basic YWxpY2U6cHc-', // base64url alphabet
    'Basic YWxpY2U6cHd=', // non-zero padding bits ('alice:pw' is YWxpY2U6cHc=)
    'Basic ====',
  ]) {
    assert.equal(parseBasicCredentials(header).kind, 'malformed', header);
  }
});

test('a credential without a colon, with an empty user-id, with control characters or invalid UTF-8 is malformed', () => {
  assert.equal(parseBasicCredentials(basic('alice')).kind, 'malformed');
  assert.equal(parseBasicCredentials(basic(':password')).kind, 'malformed');
  assert.equal(parseBasicCredentials(basic('alice:pass\nword')).kind, 'malformed');
  assert.equal(parseBasicCredentials(basic('al\u0000ice:pw')).kind, 'malformed');
  assert.equal(parseBasicCredentials(basic('alice:pw\u007f')).kind, 'malformed');
  assert.equal(parseBasicCredentials(`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`).kind, 'malformed');
});

test('a credential longer than the bound is malformed without being decoded', () => {
  const atBound = Buffer.from(`alice:${'x'.repeat((MAX_BASIC_CREDENTIALS_BASE64 / 4) * 3 - 6)}`).toString('base64');
  assert.equal(atBound.length, MAX_BASIC_CREDENTIALS_BASE64);
  assert.equal(parseBasicCredentials(`Basic ${atBound}`).kind, 'credentials');
  const over = Buffer.from(`alice:${'x'.repeat(1_000_000)}`).toString('base64');
  assert.equal(parseBasicCredentials(`Basic ${over}`).kind, 'malformed');
});
