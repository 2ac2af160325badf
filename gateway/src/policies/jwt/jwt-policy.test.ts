import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { signHs256, unsignedToken } from '../../testing/jwt-token.js';

let upstream: TestUpstream;
let gateway: TestGateway;
let nowMs = 1_800_000_000_000;
const nowSeconds = () => Math.floor(nowMs / 1000);

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway(
    {
      services: [{ name: 'users', url: upstream.url }],
      routes: [{ name: 'secure', service: 'users', paths: ['/secure/*'], auth: 'jwt' }],
      consumers: [{ username: 'mobile-app', jwtSubject: 'mobile-sub' }],
    },
    { now: () => nowMs },
  );
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

async function call(authorization?: string, extra: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/secure/x`, {
    headers: { ...(authorization === undefined ? {} : { authorization }), ...extra },
  });
  return { status: response.status, text: await response.text() };
}

test('a valid token passes and its subject becomes X-Consumer-Username; a client-sent X-Consumer-* never passes', { timeout: 60_000 }, async () => {
  const token = signHs256({ sub: 'mobile-sub', exp: nowSeconds() + 60 }, TEST_JWT_SECRET);
  const before = upstream.received.length;
  const { status, text } = await call(`Bearer ${token}`, { 'x-consumer-username': 'admin', 'x-consumer-id': '1' });
  assert.equal(status, 200);
  const seen = JSON.parse(text) as { headers: Record<string, string> };
  assert.equal(seen.headers['x-consumer-username'], 'mobile-app');
  assert.equal(seen.headers['x-consumer-id'], undefined);
  assert.equal(upstream.received.length, before + 1);
});

test('a valid token whose subject matches no consumer passes without a consumer header', { timeout: 60_000 }, async () => {
  const token = signHs256({ sub: 'someone-else', exp: nowSeconds() + 60 }, TEST_JWT_SECRET);
  const { status, text } = await call(`Bearer ${token}`, { 'x-consumer-username': 'admin' });
  assert.equal(status, 200);
  assert.equal((JSON.parse(text) as { headers: Record<string, string> }).headers['x-consumer-username'], undefined);
});

test('refused tokens get 401 JSON with a reason code, never the token, and never reach the upstream', { timeout: 60_000 }, async () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'missing_token'],
    ['Basic dXNlcjpwYXNz', 'missing_token'],
    [`Bearer ${unsignedToken({ sub: 'mobile-sub', exp: nowSeconds() + 60 }, { alg: 'none' })}`, 'unsupported_algorithm'],
    [`Bearer ${signHs256({ sub: 'mobile-sub', exp: nowSeconds() + 60 }, 'wrong-secret-wrong-secret-wrong-secret')}`, 'bad_signature'],
    [`Bearer ${signHs256({ sub: 'mobile-sub', exp: nowSeconds() - 120 }, TEST_JWT_SECRET)}`, 'token_expired'],
    [`Bearer ${signHs256({ sub: 'mobile-sub', exp: nowSeconds() + 600, nbf: nowSeconds() + 300 }, TEST_JWT_SECRET)}`, 'token_not_yet_valid'],
    [`Bearer ${signHs256({ sub: 'mobile-sub' }, TEST_JWT_SECRET)}`, 'missing_exp'],
  ];
  const before = upstream.received.length;
  for (const [authorization, reason] of cases) {
    const { status, text } = await call(authorization);
    assert.equal(status, 401, reason);
    const body = JSON.parse(text) as { error: { code: string; reason?: string; message: string } };
    assert.equal(body.error.code, 'unauthorized');
    assert.equal(body.error.reason, reason);
    if (authorization !== undefined) assert.ok(!text.includes(authorization.slice(7)), 'the token must not be echoed');
  }
  assert.equal(upstream.received.length, before);
  const metrics = await gateway.metrics.registry.metrics();
  assert.match(metrics, /novagate_auth_failures_total\{route="secure",reason="bad_signature"\} 1/);
  assert.match(metrics, /novagate_auth_failures_total\{route="secure",reason="missing_token"\} 2/);
});

test('a token that passed once is refused once the clock passes its expiry', { timeout: 60_000 }, async () => {
  const token = signHs256({ sub: 'mobile-sub', exp: nowSeconds() + 10 }, TEST_JWT_SECRET);
  assert.equal((await call(`Bearer ${token}`)).status, 200);
  nowMs += 60_000;
  const { status, text } = await call(`Bearer ${token}`);
  assert.equal(status, 401);
  assert.match(text, /token_expired/);
});
