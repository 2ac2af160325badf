import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../../config/index.js';

// bcrypt('secret', 10); the salt and hash shapes are all the schema checks.
const HASH_10 = '$2b$10$mmHI0x1eWDS3n/vgx1dWM.95ICdQ/7aDq6DNmXXv1kdjOLmN983Ka';
const withHash = (passwordHash: string, prefix = '$2b$') => `${prefix}${passwordHash.slice(4)}`;

function config(consumers: unknown[]) {
  return {
    services: [{ name: 'users', url: 'http://users:8080' }],
    routes: [{ name: 'users', service: 'users', paths: ['/users/*'], auth: 'basic-auth' }],
    consumers,
  };
}

function problemsOf(input: unknown) {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems;
}

test('auth: basic-auth with bcrypt hashes of cost 10-12 in $2a$, $2b$ and $2y$ form is accepted', () => {
  const result = validateGatewayConfig(
    config([
      {
        username: 'partner',
        basicAuth: [
          { username: 'partner', passwordHash: HASH_10 },
          { username: 'partner-next', passwordHash: withHash(HASH_10, '$2y$').replace('$10$', '$12$') },
        ],
      },
      { username: 'other', basicAuth: [{ username: 'other', passwordHash: withHash(HASH_10, '$2a$').replace('$10$', '$11$') }] },
    ]),
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.equal(result.value.routes[0]?.auth, 'basic-auth');
});

test('a plaintext password instead of a hash is refused naming basicAuth[0].passwordHash, without echoing it', () => {
  const problems = problemsOf(config([{ username: 'partner', basicAuth: [{ username: 'partner', passwordHash: 'hunter2-plaintext' }] }]));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.path, 'consumers[0].basicAuth[0].passwordHash');
  assert.match(problems[0]?.message ?? '', /bcrypt/);
  assert.ok(!JSON.stringify(problems).includes('hunter2'));
});

test('bcrypt costs below 10 or above 12, and other hash kinds, are refused', () => {
  for (const [hash, message] of [
    [HASH_10.replace('$10$', '$09$'), /cost must be 10-12, not 9/],
    [HASH_10.replace('$10$', '$13$'), /cost must be 10-12, not 13/],
    [HASH_10.replace('$2b$', '$2x$'), /bcrypt hash/],
    [HASH_10.slice(0, -1), /bcrypt hash/],
    ['$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', /bcrypt hash/],
  ] as const) {
    const problems = problemsOf(config([{ username: 'partner', basicAuth: [{ username: 'partner', passwordHash: hash }] }]));
    assert.equal(problems[0]?.path, 'consumers[0].basicAuth[0].passwordHash', hash);
    assert.match(problems[0]?.message ?? '', message);
  }
});

test('a basic-auth user-id with a colon or a control character, or an empty list, is refused', () => {
  assert.equal(problemsOf(config([{ username: 'p', basicAuth: [{ username: 'a:b', passwordHash: HASH_10 }] }]))[0]?.path, 'consumers[0].basicAuth[0].username');
  assert.equal(problemsOf(config([{ username: 'p', basicAuth: [{ username: 'a\tb', passwordHash: HASH_10 }] }]))[0]?.path, 'consumers[0].basicAuth[0].username');
  assert.equal(problemsOf(config([{ username: 'p', basicAuth: [] }]))[0]?.path, 'consumers[0].basicAuth');
  const tooMany = Array.from({ length: 5 }, (_, i) => ({ username: `u${i}`, passwordHash: HASH_10 }));
  assert.equal(problemsOf(config([{ username: 'p', basicAuth: tooMany }]))[0]?.path, 'consumers[0].basicAuth');
});

test('a basic-auth user-id is unique across consumers', () => {
  const problems = problemsOf(
    config([
      { username: 'a', basicAuth: [{ username: 'shared', passwordHash: HASH_10 }] },
      { username: 'b', basicAuth: [{ username: 'mine', passwordHash: HASH_10 }, { username: 'shared', passwordHash: HASH_10 }] },
    ]),
  );
  assert.deepEqual(problems, [{ path: 'consumers[1].basicAuth[1].username', message: "basic-auth username 'shared' is already used by consumers[0]" }]);
});

test('one consumer may list its user-id twice, with the old and the new hash, while rotating', () => {
  const rotated = HASH_10.replace('$10$', '$11$');
  assert.ok(validateGatewayConfig(config([{ username: 'a', basicAuth: [{ username: 'a', passwordHash: HASH_10 }, { username: 'a', passwordHash: rotated }] }])).ok);
});

test('a consumer without basicAuth parses without the field', () => {
  const result = validateGatewayConfig(config([{ username: 'plain' }]));
  assert.ok(result.ok);
  assert.equal('basicAuth' in (result.value.consumers[0] as object), false);
});
