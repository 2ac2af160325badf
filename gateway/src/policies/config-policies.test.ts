// The config-only policies end to end: a real gateway in front of a real upstream, over real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { sha256Hex } from './key-auth/key-auth-policy.js';
import { rawExchange } from '../testing/raw-http.js';

let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        server: 'upstream/1.0',
        'x-internal': 'secret',
        'access-control-allow-origin': 'https://upstream-chose-this.example',
        vary: 'Accept-Encoding',
      });
      res.end(body);
    });
  });
  gateway = await startTestGateway({
    services: [{ name: 'echo', url: `${upstream.url}/base` }],
    consumers: [
      { username: 'partner', apiKeyHashes: [sha256Hex('partner-key')], groups: ['partners'] },
      { username: 'stranger', apiKeyHashes: [sha256Hex('stranger-key')] },
      { username: 'banned', apiKeyHashes: [sha256Hex('banned-key')], groups: ['partners', 'banned'] },
    ],
    routes: [
      {
        name: 'headers',
        service: 'echo',
        paths: ['/headers'],
        requestHeaders: { set: { 'x-env': 'prod', 'User-Agent': 'novagate' }, add: { 'x-tag': 'gw' }, remove: ['x-debug'] },
        responseHeaders: { set: { 'x-frame-options': 'DENY' }, add: { 'cache-control': 'no-store' }, remove: ['server', 'X-Internal'] },
      },
      { name: 'rewrite-prefix', service: 'echo', paths: ['/old/*'], rewrite: { path: { replacePrefixMatch: '/new' } } },
      { name: 'rewrite-full', service: 'echo', paths: ['/full/*'], rewrite: { hostname: 'users.internal', path: { replaceFullPath: '/profile' } } },
      { name: 'preserve', service: 'echo', paths: ['/preserve'], preserveHost: true },
      { name: 'stripped', service: 'echo', paths: ['/strip/*'], stripPrefix: true },
      { name: 'to-https', service: 'echo', paths: ['/secure/*'], redirect: { scheme: 'https', statusCode: 301 } },
      { name: 'moved', service: 'echo', paths: ['/moved/*'], redirect: { hostname: 'example.com', port: 8443, path: { replacePrefixMatch: '/v2' } } },
      { name: 'limited-redirect', service: 'echo', paths: ['/limited/*'], rateLimit: { limit: 100, windowSeconds: 60, by: 'ip' }, redirect: { scheme: 'https' } },
      { name: 'loop', service: 'echo', paths: ['/loop'], redirect: { path: { replaceFullPath: '/loop' } } },
      { name: 'post-redirect-get', service: 'echo', paths: ['/submitted'], methods: ['POST'], redirect: { statusCode: 303 } },
      { name: 'loop-303', service: 'echo', paths: ['/loop-303'], redirect: { statusCode: 303 } },
      { name: 'open-redirect', service: 'echo', paths: ['/go/*'], redirect: { path: { replacePrefixMatch: '/landing' }, statusCode: 307 } },
      {
        name: 'cors',
        service: 'echo',
        paths: ['/cors/*'],
        methods: ['GET', 'POST'],
        auth: 'key-auth',
        cors: {
          allowOrigins: ['https://app.example.com', 'https://*.example.com'],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['authorization', 'apikey'],
          exposeHeaders: ['x-request-id'],
          allowCredentials: true,
          maxAgeSeconds: 600,
        },
      },
      { name: 'cors-any', service: 'echo', paths: ['/cors-any/*'], cors: { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] } },
      { name: 'cors-any-credentials', service: 'echo', paths: ['/cors-cred/*'], cors: { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true } },
      { name: 'cors-null', service: 'echo', paths: ['/cors-null'], cors: { allowOrigins: ['null'] } },
      { name: 'ip-allow', service: 'echo', paths: ['/ip-allow'], ipRestriction: { allow: ['127.0.0.0/8', '::1/128'] } },
      { name: 'ip-deny', service: 'echo', paths: ['/ip-deny'], ipRestriction: { allow: ['0.0.0.0/0', '::/0'], deny: ['127.0.0.1', '::1'] } },
      { name: 'acl-allow', service: 'echo', paths: ['/acl-allow'], auth: 'key-auth', acl: { allow: ['partners'] } },
      { name: 'acl-deny', service: 'echo', paths: ['/acl-deny'], auth: 'key-auth', acl: { deny: ['banned'] } },
      { name: 'small-body', service: 'echo', paths: ['/small'], methods: ['POST'], maxBodyBytes: 16 },
    ],
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

async function send(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Reply> {
  const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path, method, headers });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: text };
}

const seen = (reply: Reply) => JSON.parse(reply.body) as { url: string; headers: Record<string, string | undefined> };

test('requestHeaders sets, adds and removes what goes upstream; the client cannot undo the gateway headers', async () => {
  const reply = await send('/headers', { 'x-debug': '1', 'user-agent': 'curl', 'x-tag': 'client', 'x-env': 'dev' });
  assert.equal(reply.status, 200);
  const headers = seen(reply).headers;
  assert.equal(headers['x-env'], 'prod');
  assert.equal(headers['user-agent'], 'novagate');
  assert.equal(headers['x-tag'], 'client, gw');
  assert.equal(headers['x-debug'], undefined);
  assert.equal(headers['x-request-id'], reply.headers['x-request-id']);
});

test('responseHeaders sets, adds and removes on the way back, and never touches X-Request-ID', async () => {
  const reply = await send('/headers');
  assert.equal(reply.headers['x-frame-options'], 'DENY');
  assert.equal(reply.headers['cache-control'], 'no-store');
  assert.equal(reply.headers.server, undefined);
  assert.equal(reply.headers['x-internal'], undefined);
  assert.match(String(reply.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('rewrite replacePrefixMatch swaps the matched prefix and keeps the rest and the query', async () => {
  assert.equal(seen(await send('/old/users/7?x=1')).url, '/base/new/users/7?x=1');
  assert.equal(seen(await send('/old')).url, '/base/new');
});

test('rewrite replaceFullPath and hostname replace the whole path and the Host sent upstream', async () => {
  const view = seen(await send('/full/anything/here?q=2', { host: 'api.example.com' }));
  assert.equal(view.url, '/base/profile?q=2');
  assert.equal(view.headers.host, 'users.internal');
  assert.equal(view.headers['x-forwarded-host'], 'api.example.com');
});

test("preserveHost sends the client's Host upstream; other routes send the target's", async () => {
  assert.equal(seen(await send('/preserve', { host: 'api.example.com:8080' })).headers.host, 'api.example.com:8080');
  assert.equal(seen(await send('/headers', { host: 'api.example.com' })).headers.host, `127.0.0.1:${upstream.port}`);
});

test('stripPrefix keeps working as replacePrefixMatch "/"', async () => {
  assert.equal(seen(await send('/strip/a/b')).url, '/base/a/b');
});

test('a redirect answers itself with Location from config and the listener, never reaching the upstream', async () => {
  const before = upstream.received.length;
  const secure = await send('/secure/page?x=1', { host: 'shop.example.com' });
  assert.equal(secure.status, 301);
  assert.equal(secure.headers.location, 'https://shop.example.com/secure/page?x=1');
  const moved = await send('/moved/items/3', { host: 'shop.example.com' });
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.location, 'http://example.com:8443/v2/items/3');
  assert.equal(upstream.received.length, before);
});

test('a redirect whose Location is the URL asked for answers 508 instead of looping', async () => {
  const reply = await send('/loop', { host: 'shop.example.com' });
  assert.equal(reply.status, 508);
  assert.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, 'redirect_loop');
});

test('a 303 to the URL a POST asked for is no loop (the client follows it with GET); a 303 to a GET to itself is', async () => {
  const prg = await send('/submitted?id=4', { host: 'shop.example.com' }, 'POST', 'form=1');
  assert.equal(prg.status, 303);
  assert.equal(prg.headers.location, `http://shop.example.com:${gateway.port}/submitted?id=4`, 'the URL asked for');
  assert.equal((await send('/loop-303', { host: 'shop.example.com' }, 'POST')).status, 303);
  for (const method of ['GET', 'HEAD']) assert.equal((await send('/loop-303', { host: 'shop.example.com' }, method)).status, 508, method);
});

test('open redirect attempts: a Host with userinfo or a path, and X-Forwarded-* headers, never shape the Location', async () => {
  for (const host of ['evil.com@shop.example.com', 'shop.example.com/evil.com', 'evil.com\\@shop']) {
    const reply = await send('/go/x', { host });
    assert.equal(reply.status, 400, host);
  }
  const reply = await send('/go//evil.com', { host: 'shop.example.com' });
  assert.equal(reply.status, 307);
  assert.equal(reply.headers.location, `http://shop.example.com:${gateway.port}/landing/evil.com`);
  const plain = await send('/go/x', { host: 'shop.example.com', 'x-forwarded-host': 'evil.com', 'x-forwarded-proto': 'https' });
  assert.equal(plain.status, 307);
  assert.equal(plain.headers.location, `http://shop.example.com:${gateway.port}/landing/x`);
});

test('a CORS preflight from an allowed origin is answered 204 by the gateway, before auth, never upstream', async () => {
  const before = upstream.received.length;
  const reply = await send(
    '/cors/items',
    { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    'OPTIONS',
  );
  assert.equal(reply.status, 204);
  assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(reply.headers['access-control-allow-credentials'], 'true');
  assert.equal(reply.headers['access-control-allow-methods'], 'GET, POST');
  assert.equal(reply.headers['access-control-allow-headers'], 'authorization, apikey');
  assert.equal(reply.headers['access-control-max-age'], '600');
  assert.equal(reply.headers.vary, 'Origin');
  assert.equal(upstream.received.length, before);
});

test('CORS origin tricks get no Access-Control-Allow-Origin: suffix attacks, bare parent, null, other scheme or port', async () => {
  const tricks = [
    'https://evil.example.com.attacker.io',
    'https://attackerexample.com',
    'https://example.com',
    'null',
    'http://app.example.com',
    'https://app.example.com:8443',
    'https://app.example.com/',
    'https://app.example.com.',
    'https://user@app.example.com',
  ];
  for (const origin of tricks) {
    const preflight = await send('/cors/items', { origin, 'access-control-request-method': 'GET' }, 'OPTIONS');
    assert.equal(preflight.status, 204, origin);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined, origin);
    assert.equal(preflight.headers.vary, 'Origin', origin);
    const actual = await send('/cors/items', { origin, apikey: 'partner-key' });
    assert.equal(actual.status, 200, origin);
    // The upstream's own header is overridden only for an allowed origin; for these it stays the upstream's.
    assert.notEqual(actual.headers['access-control-allow-origin'], origin, origin);
  }
});

test('a wildcard origin matches subdomains at a label boundary, and mixed case compares ignoring case', async () => {
  for (const origin of ['https://a.example.com', 'https://a.b.example.com', 'HTTPS://App.Example.COM']) {
    const reply = await send('/cors/items', { origin, apikey: 'partner-key' });
    assert.equal(reply.headers['access-control-allow-origin'], origin, origin);
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers['access-control-expose-headers'], 'x-request-id');
  }
});

test('Vary: Origin is always sent, appended to the upstream Vary, with or without an Origin', async () => {
  for (const headers of [{}, { origin: 'https://nope.test' }, { origin: 'https://app.example.com' }] as Record<string, string>[]) {
    const reply = await send('/cors/items', { ...headers, apikey: 'partner-key' });
    assert.match(String(reply.headers.vary), /Accept-Encoding/);
    assert.match(String(reply.headers.vary), /Origin/);
  }
});

test('a CORS route refusing a request (401) still says which origin may read the refusal', async () => {
  const reply = await send('/cors/items', { origin: 'https://app.example.com' });
  assert.equal(reply.status, 401);
  assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.match(String(reply.headers.vary), /Origin/);
});

test('OPTIONS that is not a preflight, on a route whose methods leave OPTIONS out, is still 404', async () => {
  const reply = await send('/cors/items', { origin: 'https://app.example.com' }, 'OPTIONS');
  assert.equal(reply.status, 404);
});

test("'*' without credentials answers a literal '*'; with credentials it echoes the Origin and the requested method and headers", async () => {
  const any = await send('/cors-any/x', { origin: 'https://whoever.test', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-a' }, 'OPTIONS');
  assert.equal(any.headers['access-control-allow-origin'], '*');
  assert.equal(any.headers['access-control-allow-methods'], '*');
  assert.equal(any.headers['access-control-allow-headers'], '*');
  assert.equal(any.headers['access-control-max-age'], '5');
  const cred = await send('/cors-cred/x', { origin: 'https://whoever.test', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-a, x-b' }, 'OPTIONS');
  assert.equal(cred.headers['access-control-allow-origin'], 'https://whoever.test');
  assert.equal(cred.headers['access-control-allow-credentials'], 'true');
  assert.equal(cred.headers['access-control-allow-methods'], 'PATCH');
  assert.equal(cred.headers['access-control-allow-headers'], 'x-a, x-b');
  const nul = await send('/cors-cred/x', { origin: 'null', 'access-control-request-method': 'GET' }, 'OPTIONS');
  assert.equal(nul.headers['access-control-allow-origin'], undefined);
  const warnings = gateway.logLines().filter((line) => line.includes("allowOrigins '*' with allowCredentials"));
  assert.equal(warnings.length, 1);
});

test("'null' is admitted only where it is listed", async () => {
  const reply = await send('/cors-null', { origin: 'null' });
  assert.equal(reply.headers['access-control-allow-origin'], 'null');
});

test('ipRestriction: an allowed client passes, a denied one gets 403 without reaching the upstream', async () => {
  assert.equal((await send('/ip-allow')).status, 200);
  const before = upstream.received.length;
  const denied = await send('/ip-deny', { 'x-forwarded-for': '8.8.8.8' });
  assert.equal(denied.status, 403);
  assert.equal(upstream.received.length, before);
});

test('acl allows consumers by group and denies listed groups; an unknown consumer never passes', async () => {
  assert.equal((await send('/acl-allow', { apikey: 'partner-key' })).status, 200);
  assert.equal((await send('/acl-allow', { apikey: 'stranger-key' })).status, 403);
  assert.equal((await send('/acl-deny', { apikey: 'stranger-key' })).status, 200);
  assert.equal((await send('/acl-deny', { apikey: 'banned-key' })).status, 403);
  assert.equal((await send('/acl-allow')).status, 401);
});

test("a route's maxBodyBytes answers 413 above it, below the gateway's", async () => {
  assert.equal((await send('/small', { 'content-type': 'text/plain' }, 'POST', 'x'.repeat(16))).status, 200);
  const reply = await send('/small', { 'content-type': 'text/plain' }, 'POST', 'x'.repeat(17));
  assert.equal(reply.status, 413);
});

test('a redirect on a rate-limited route carries the RateLimit headers of the request it counted', async () => {
  const reply = await send('/limited/a', { host: 'shop.example.com' });
  assert.equal(reply.status, 302);
  assert.equal(reply.headers.location, 'https://shop.example.com/limited/a');
  assert.equal(reply.headers['ratelimit-limit'], '100');
});

test('a WebSocket handshake to a redirecting route gets the redirect, and the connection serves the next request', async () => {
  const before = upstream.received.length;
  const upgrade = 'GET /secure/ws HTTP/1.1\r\nHost: shop.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  const next = 'GET /headers HTTP/1.1\r\nHost: shop.example.com\r\n\r\n';
  const exchange = await rawExchange(gateway.port, upgrade + next, 2);
  assert.equal(exchange.responses[0]?.status, 301);
  assert.equal(exchange.responses[0]?.headers.location, 'https://shop.example.com/secure/ws');
  assert.equal(exchange.responses[1]?.status, 200);
  assert.equal(upstream.received.length, before + 1);
});
