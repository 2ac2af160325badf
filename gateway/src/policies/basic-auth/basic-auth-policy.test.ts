import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcrypt';
import { startTestGateway, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { GatewayError } from '../../errors.js';
import type { RequestContext } from '../../pipeline/policy.js';
import { requestContext } from '../../testing/request-context.js';
import { basicAuthTable, createBasicAuthPolicy, createBasicAuthState, FAILURES_PER_MINUTE, processBasicAuthState } from './basic-auth-policy.js';
import { BcryptVerifier } from './bcrypt-verifier.js';

const PASSWORD = 'correct horse battery staple';
const NEXT_PASSWORD = 'the rotated password';
let hash: string;
let nextHash: string;
let upstream: TestUpstream;
let gateway: TestGateway;
let nextAddress = 1;

function configWith(hashes: string[]) {
  return {
    services: [{ name: 'orders', url: upstream.url }],
    routes: [
      { name: 'orders', service: 'orders', paths: ['/orders/*'], auth: 'basic-auth' },
      { name: 'open', service: 'orders', paths: ['/open'] },
    ],
    consumers: [
      { username: 'partner', basicAuth: hashes.map((passwordHash) => ({ username: 'partner-a', passwordHash })) },
      { username: 'keyed', apiKeyHashes: ['a'.repeat(64)] },
    ],
  };
}

before(async () => {
  hash = await bcrypt.hash(PASSWORD, 10);
  nextHash = (await bcrypt.hash(NEXT_PASSWORD, 10)).replace('$2b$', '$2y$');
  upstream = await startUpstream();
  gateway = await startTestGateway(configWith([hash]), { trustedProxies: '127.0.0.1' });
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

/** Each test speaks from its own client address (X-Forwarded-For through the trusted 127.0.0.1), so throttles stay apart. */
function client() {
  const address = `198.51.100.${nextAddress++}`;
  return async (authorization: string | undefined, path = '/orders/1') => {
    const headers: Record<string, string> = { 'x-forwarded-for': address };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(`${gateway.url}${path}`, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const reasonOf = (text: string) => (JSON.parse(text) as { error: { reason?: string; code: string; requestId?: string } }).error;

test('the right password lets the request through as the consumer, and the credential is not forwarded', { timeout: 60_000 }, async () => {
  const call = client();
  const { status, text } = await call(basic('partner-a', PASSWORD));
  assert.equal(status, 200);
  const seen = JSON.parse(text) as { headers: Record<string, string> };
  assert.equal(seen.headers['x-consumer-username'], 'partner');
  assert.equal(seen.headers.authorization, undefined);
  assert.ok(!JSON.stringify(upstream.received.at(-1)?.headers).includes(Buffer.from(`partner-a:${PASSWORD}`).toString('base64')));
});

test('a wrong password and an unknown user both get 401 with the Basic challenge and never reach the upstream', { timeout: 60_000 }, async () => {
  const call = client();
  const before = upstream.received.length;
  for (const authorization of [basic('partner-a', 'wrong'), basic('nobody', PASSWORD), undefined, 'Bearer abc']) {
    const { status, headers, text } = await call(authorization);
    assert.equal(status, 401, String(authorization));
    assert.equal(headers.get('www-authenticate'), 'Basic realm="novagate"');
    assert.ok(!text.includes(PASSWORD) && !text.includes('wrong'));
  }
  const { requestId: _a, ...wrong } = reasonOf((await call(basic('partner-a', 'wrong'))).text);
  const { requestId: _b, ...unknown } = reasonOf((await call(basic('nobody', 'wrong'))).text);
  assert.deepEqual(wrong, unknown, 'the answer does not tell an unknown user from a wrong password');
  assert.equal(wrong.reason, 'invalid_credential');
  assert.equal(reasonOf((await call(undefined)).text).reason, 'missing_credential');
  assert.equal(reasonOf((await call('Basic !!!!')).text).reason, 'malformed_credential');
  assert.equal(upstream.received.length, before);
});

test('after 10 failures in a minute an address gets 429 with Retry-After, even with the right password, and others do not', { timeout: 60_000 }, async () => {
  const attacker = client();
  for (let i = 0; i < FAILURES_PER_MINUTE; i++) assert.equal((await attacker(basic('partner-a', `guess-${i}`))).status, 401);
  const refused = await attacker(basic('partner-a', PASSWORD));
  assert.equal(refused.status, 429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal(reasonOf(refused.text).code, 'auth_throttled');
  assert.match(await gateway.metrics.registry.metrics(), /novagate_auth_failures_total\{route="orders",reason="throttled"\} [1-9]/);
  assert.equal((await attacker(undefined, '/open')).status, 200, 'routes without basic-auth are not affected');
  assert.equal((await client()(basic('partner-a', PASSWORD))).status, 200, 'another address is not throttled');
});

test('concurrent guesses from one address cannot run more bcrypt compares than the failure budget', { timeout: 60_000 }, async () => {
  const attacker = client();
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) => attacker(basic('partner-a', `parallel-${i}`))));
  const statuses = results.map((result) => result.status);
  assert.equal(statuses.filter((status) => status === 401).length, FAILURES_PER_MINUTE);
  assert.equal(statuses.filter((status) => status === 429).length, 30 - FAILURES_PER_MINUTE);
});

test('a verified credential is served from the cache without another bcrypt', { timeout: 60_000 }, async () => {
  const call = client();
  const verifier: BcryptVerifier = processBasicAuthState().verifier;
  const original = verifier.firstMatch.bind(verifier);
  let compares = 0;
  verifier.firstMatch = (password, hashes) => ((compares += 1), original(password, hashes));
  try {
    assert.equal((await call(basic('partner-a', PASSWORD))).status, 200);
    const afterFirst = compares;
    for (let i = 0; i < 20; i++) assert.equal((await call(basic('partner-a', PASSWORD))).status, 200);
    assert.equal(compares, afterFirst, 'no bcrypt once the credential is cached');
    assert.equal((await call(basic('partner-a', `${PASSWORD}x`))).status, 401, 'a different password still goes to bcrypt');
    assert.equal(compares, afterFirst + 1);
  } finally {
    verifier.firstMatch = original;
  }
});

test('rotation: a new hash ($2y$) works beside the old one, and dropping the old hash ends its cached sessions', { timeout: 60_000 }, async () => {
  const call = client();
  assert.equal((await call(basic('partner-a', PASSWORD))).status, 200);
  assert.ok((await gateway.store.apply(configWith([hash, nextHash]))).ok);
  assert.equal((await call(basic('partner-a', PASSWORD))).status, 200);
  assert.equal((await call(basic('partner-a', NEXT_PASSWORD))).status, 200);
  assert.ok((await gateway.store.apply(configWith([nextHash]))).ok);
  assert.equal((await call(basic('partner-a', PASSWORD))).status, 401, 'the cached old password no longer opens the route');
  assert.equal((await call(basic('partner-a', NEXT_PASSWORD))).status, 200);
  assert.ok((await gateway.store.apply(configWith([hash]))).ok);
});

function fakeContext(authorization: string, clientIp = '192.0.2.1'): RequestContext {
  return requestContext({ headers: { authorization } as IncomingMessage['headers'], clientIp, routeName: 'orders' });
}

test('past the cap on bcrypt compares in flight, new uncached attempts get 503 without queueing more work', { timeout: 60_000 }, async () => {
  const state = { ...createBasicAuthState(Date.now), verifier: new BcryptVerifier(2) };
  const policy = createBasicAuthPolicy(basicAuthTable(configWith([hash]).consumers as never), state);
  const pending = [policy(fakeContext(basic('partner-a', 'x'), '192.0.2.1')), policy(fakeContext(basic('partner-a', 'y'), '192.0.2.2'))];
  const third = await policy(fakeContext(basic('partner-a', PASSWORD), '192.0.2.3'));
  assert.ok(third instanceof GatewayError);
  assert.equal(third.status, 503);
  assert.equal(third.headers?.['retry-after'], '1');
  const settled = await Promise.all(pending);
  assert.ok(settled.every((outcome) => outcome instanceof GatewayError && outcome.status === 401));
  assert.equal(await policy(fakeContext(basic('partner-a', PASSWORD), '192.0.2.3')), undefined, 'room again once they finished');
});
