import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';

let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway(
    {
      services: [{ name: 'up', url: upstream.url }],
      routes: [{ name: 'limited', service: 'up', paths: ['/*'], rateLimit: { limit: 1, windowSeconds: 3600, by: 'ip' } }],
    },
    { trustedProxies: '127.0.0.1' },
  );
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

test('behind a trusted proxy X-Forwarded-* are appended to and the limit counts the forwarded client', { timeout: 60_000 }, async () => {
  const call = (forwardedFor: string) =>
    fetch(`${gateway.url}/x`, {
      headers: { 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' },
    });
  const first = await call('198.51.100.1');
  assert.equal(first.status, 200);
  const seen = ((await first.json()) as { headers: Record<string, string> }).headers;
  assert.equal(seen['x-forwarded-for'], '198.51.100.1, 127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'https, http');
  assert.equal(seen['x-forwarded-host'], `api.example.com, 127.0.0.1:${gateway.port}`);
  assert.equal((await call('198.51.100.1')).status, 429, 'same forwarded client, same counter');
  assert.equal((await call('198.51.100.2')).status, 200, 'another forwarded client has its own counter');
});
