// Issue 12, item 2, whole system: a real gateway process (standalone, CONFIG_FILE) in front of a real upstream
// that, like most servers, drops a fragment from the target it reads. The attack: `GET /secure#x` missed the
// auth route `/secure`, fell through to the catch-all, and the upstream served `/secure`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { rawExchange } from '@novagate/gateway/testing/raw-http';

const API_KEY = 'e2e-consumer-key-0123456789';

let upstream: TestUpstream;
let gateway: GatewayProcess;

before(async () => {
  upstream = await startUpstream((req, res) => {
    // What WHATWG URL parsing (and so most frameworks) makes of the target: `/secure#x` is `/secure`.
    const path = new URL(req.url ?? '/', 'http://upstream.test').pathname;
    res.end(path === '/secure' ? 'secret' : 'public');
  });
  const config = {
    services: [{ name: 'app', url: upstream.url }],
    routes: [
      { name: 'secure', service: 'app', paths: ['/secure'], auth: 'key-auth' },
      { name: 'catch-all', service: 'app', paths: ['/*'] },
    ],
    consumers: [{ username: 'ops', apiKeyHashes: [createHash('sha256').update(API_KEY).digest('hex')] }],
  };
  gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(config) });
});
after(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const get = (target: string, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n`;

test('GET /secure#x gets 400 bad_path and the upstream is never asked', { timeout: 60_000 }, async () => {
  upstream.received.length = 0;
  const exchange = await rawExchange(gateway.port, get('/secure#x'), 1);
  assert.equal(exchange.responses[0]?.status, 400);
  assert.equal((JSON.parse(exchange.responses[0]?.body ?? '{}') as { error: { code: string } }).error.code, 'bad_path');
  assert.notEqual(exchange.responses[0]?.body, 'secret');
  assert.equal(upstream.received.length, 0);
});

test('other targets that are not origin-form are refused before routing as well', { timeout: 60_000 }, async () => {
  upstream.received.length = 0;
  for (const target of ['/open?next=1#/secure', 'http://gw.test/secure', '*', '/secure\x7f']) {
    const exchange = await rawExchange(gateway.port, get(target), 1);
    assert.equal(exchange.responses[0]?.status, 400, JSON.stringify(target));
    assert.equal((JSON.parse(exchange.responses[0]?.body ?? '{}') as { error: { code: string } }).error.code, 'bad_path', JSON.stringify(target));
  }
  assert.equal(upstream.received.length, 0);
});

test('the auth route still guards /secure, and answers it with the key', { timeout: 60_000 }, async () => {
  const refused = await rawExchange(gateway.port, get('/secure'), 1);
  assert.equal(refused.responses[0]?.status, 401);
  const allowed = await rawExchange(gateway.port, `GET /secure HTTP/1.1\r\nHost: gw.test\r\napikey: ${API_KEY}\r\nConnection: close\r\n\r\n`, 1);
  assert.equal(allowed.responses[0]?.body, 'secret');
  const options = await rawExchange(gateway.port, get('*', 'OPTIONS'), 1);
  assert.equal(options.responses[0]?.status, 200, 'OPTIONS * stays valid');
});
