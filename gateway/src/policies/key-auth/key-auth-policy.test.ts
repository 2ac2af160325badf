import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { sha256Hex } from './key-auth-policy.js';

const KEY = 'ng_live_0123456789abcdef0123456789abcdef';
let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    services: [{ name: 'orders', url: upstream.url }],
    routes: [{ name: 'orders', service: 'orders', paths: ['/orders/*'], auth: 'key-auth' }],
    consumers: [{ username: 'partner', apiKeyHashes: [sha256Hex(KEY)] }],
  });
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

async function call(headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}/orders/1`, { headers });
  return { status: response.status, text: await response.text() };
}

test('a key in the apikey header is accepted, stripped, and names the consumer upstream', { timeout: 60_000 }, async () => {
  const { status, text } = await call({ apikey: KEY, authorization: 'Basic keep-me' });
  assert.equal(status, 200);
  const seen = JSON.parse(text) as { headers: Record<string, string> };
  assert.equal(seen.headers.apikey, undefined);
  assert.equal(seen.headers['x-consumer-username'], 'partner');
  assert.equal(seen.headers.authorization, 'Basic keep-me', 'an Authorization header that was not the credential stays');
  assert.ok(!text.includes(KEY));
});

test('a key as Authorization: Bearer is accepted and not forwarded', { timeout: 60_000 }, async () => {
  const { status, text } = await call({ authorization: `Bearer ${KEY}` });
  assert.equal(status, 200);
  const seen = JSON.parse(text) as { headers: Record<string, string> };
  assert.equal(seen.headers.authorization, undefined);
  assert.ok(!JSON.stringify(upstream.received.at(-1)?.headers).includes(KEY));
});

test('missing and unknown keys get 401 with a reason and never reach the upstream', { timeout: 60_000 }, async () => {
  const before = upstream.received.length;
  const missing = await call({});
  assert.equal(missing.status, 401);
  assert.equal((JSON.parse(missing.text) as { error: { reason: string } }).error.reason, 'missing_credential');
  const wrongKey = 'ng_live_wrong_wrong_wrong';
  const wrong = await call({ apikey: wrongKey });
  assert.equal(wrong.status, 401);
  assert.equal((JSON.parse(wrong.text) as { error: { reason: string } }).error.reason, 'invalid_credential');
  assert.ok(!wrong.text.includes(wrongKey));
  assert.equal(upstream.received.length, before);
});
