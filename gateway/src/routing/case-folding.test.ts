// Route case against an upstream that folds case (Express routes case-insensitively by default): matching stays
// case-sensitive as Gateway API says, so such an upstream needs `caseInsensitive: true` on its protected routes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { sha256Hex } from '../policies/key-auth/key-auth-policy.js';

let upstream: Server;
let gateway: TestGateway;
let config: (caseInsensitive: boolean) => object;

before(async () => {
  const app = express();
  app.get('/secure/data', (_req, res) => {
    res.send('secret');
  });
  upstream = app.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  config = (caseInsensitive) => ({
    services: [{ name: 'app', url }],
    routes: [
      { name: 'secure', service: 'app', paths: ['/secure/*'], auth: 'key-auth', ...(caseInsensitive ? { caseInsensitive } : {}) },
      { name: 'catch-all', service: 'app', paths: ['/*'] },
    ],
    consumers: [{ username: 'ops', apiKeyHashes: [sha256Hex('ops-key-0123456789')] }],
  });
  gateway = await startTestGateway(config(false));
});
after(async () => {
  await gateway.close();
  upstream.closeAllConnections();
  upstream.close();
});

test('by default a route is case-sensitive: /SECURE/data misses the auth route and a case-folding upstream serves it', { timeout: 30_000 }, async () => {
  assert.ok((await gateway.store.apply(config(false))).ok);
  assert.equal((await fetch(`${gateway.url}/secure/data`)).status, 401);
  const folded = await fetch(`${gateway.url}/SECURE/data`);
  assert.equal(folded.status, 200);
  assert.equal(await folded.text(), 'secret', 'the documented risk of a case-folding upstream');
});

test('with caseInsensitive: true every spelling of the path meets the auth route', { timeout: 30_000 }, async () => {
  assert.ok((await gateway.store.apply(config(true))).ok);
  for (const path of ['/secure/data', '/SECURE/data', '/Secure/Data', '/sEcUrE/data']) {
    const response = await fetch(`${gateway.url}${path}`);
    await response.arrayBuffer();
    assert.equal(response.status, 401, path);
  }
  const authorised = await fetch(`${gateway.url}/SECURE/data`, { headers: { apikey: 'ops-key-0123456789' } });
  assert.equal(await authorised.text(), 'secret');
});
