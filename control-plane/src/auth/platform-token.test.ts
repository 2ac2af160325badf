import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createPlatformTokens, PLATFORM_TOKEN_TTL_SECONDS } from './platform-token.js';

const SECRET = 'unit-test-platform-secret-0123456789abcdef';
const TENANT = '0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (header: unknown, payload: unknown, secret = SECRET) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

test('an issued token verifies to its tenant and token version until it expires after 7 days', async () => {
  let clock = new Date('2026-01-01T00:00:00Z');
  const tokens = createPlatformTokens(SECRET, () => clock);
  const token = await tokens.issue({ tenantId: TENANT, tokenVersion: 3 });
  assert.deepEqual(await tokens.verify(token), { tenantId: TENANT, tokenVersion: 3 });
  clock = new Date(clock.getTime() + (PLATFORM_TOKEN_TTL_SECONDS - 1) * 1000);
  assert.notEqual(await tokens.verify(token), null);
  clock = new Date(clock.getTime() + 2000);
  assert.equal(await tokens.verify(token), null, 'expired');
});

test('tokens with another algorithm, another secret, a changed payload or missing claims are refused', async () => {
  const tokens = createPlatformTokens(SECRET, () => new Date('2026-01-01T00:00:00Z'));
  const exp = Date.parse('2026-01-02T00:00:00Z') / 1000;
  const good = { sub: TENANT, tv: 1, iss: 'novagate-control-plane', exp };
  assert.notEqual(await tokens.verify(signed({ alg: 'HS256', typ: 'JWT' }, good)), null, 'the baseline is valid');
  const refused = [
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good)}.`,
    signed({ alg: 'HS512', typ: 'JWT' }, good),
    signed({ alg: 'HS256', typ: 'JWT' }, good, 'another-secret-of-sufficient-length-123456'),
    signed({ alg: 'HS256', typ: 'JWT', crit: ['x'] }, good),
    signed({ alg: 'HS256' }, { ...good, iss: 'someone-else' }),
    signed({ alg: 'HS256' }, { ...good, exp: undefined }),
    signed({ alg: 'HS256' }, { ...good, sub: 'not-a-uuid' }),
    signed({ alg: 'HS256' }, { ...good, tv: '1' }),
    'a.b',
    'not.a.token',
  ];
  const tampered = signed({ alg: 'HS256', typ: 'JWT' }, good).split('.');
  refused.push(`${tampered[0]}.${b64({ ...good, tv: 99 })}.${tampered[2]}`);
  for (const token of refused) assert.equal(await tokens.verify(token), null, token);
});

test('during a rotation, tokens signed with the accepted secret verify too, and new tokens use the main secret', async () => {
  const clock = () => new Date('2026-01-01T00:00:00Z');
  const OTHER = 'the-other-half-of-the-rotation-0123456789';
  const before = createPlatformTokens(SECRET, clock);
  const oldToken = await before.issue({ tenantId: TENANT, tokenVersion: 1 });
  const rotated = createPlatformTokens(OTHER, clock, SECRET);
  assert.deepEqual(await rotated.verify(oldToken), { tenantId: TENANT, tokenVersion: 1 }, 'a token of the former secret still works');
  const newToken = await rotated.issue({ tenantId: TENANT, tokenVersion: 1 });
  assert.equal(await before.verify(newToken), null, 'issued with the main secret, not the accepted one');
  assert.notEqual(await createPlatformTokens(SECRET, clock, OTHER).verify(newToken), null, 'a replica that accepts the new secret takes it');
  assert.equal(await createPlatformTokens(OTHER, clock).verify(oldToken), null, 'once the accepted secret is gone, so are its tokens');
  const forged = signed({ alg: 'HS256', typ: 'JWT' }, { sub: TENANT, tv: 1, iss: 'novagate-control-plane', exp: Date.parse('2026-01-02T00:00:00Z') / 1000 }, 'neither-of-the-two-secrets-0123456789abcdef');
  assert.equal(await rotated.verify(forged), null);
});

test('attack matrix: only canonical unpadded base64url is accepted in every segment', async () => {
  const tokens = createPlatformTokens(SECRET, () => new Date('2026-01-01T00:00:00Z'));
  const exp = Date.parse('2026-01-02T00:00:00Z') / 1000;
  const good = signed({ alg: 'HS256', typ: 'JWT' }, { sub: TENANT, tv: 1, iss: 'novagate-control-plane', exp });
  assert.notEqual(await tokens.verify(good), null, 'the baseline is valid');
  const [h, p, s] = good.split('.') as [string, string, string];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Flipping the lowest bit of the last character changes only the spare bits a 32-byte signature leaves.
  const flipped = `${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1) as string) ^ 1]}`;
  assert.equal(s.length % 4, 3);
  assert.deepEqual(Buffer.from(flipped, 'base64url'), Buffer.from(s, 'base64url'), 'Node decodes both to the same bytes');
  const refused = [`${good}=`, `${good}==`, `${good}!`, `${good}.`, `${h}.${p}.${flipped}`, `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(s) ? '' : '/'}`];
  // Header and payload respelled the same way, then correctly signed: still refused.
  for (const [header, payload] of [[`${h}=`, p], [h, `${p}!`]] as const) {
    const input = `${header}.${payload}`;
    refused.push(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`);
  }
  for (const token of refused) assert.equal(await tokens.verify(token), null, token);
});
