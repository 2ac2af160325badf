// The JWKS fetch against real local servers: what it takes, and every way an attacker-chosen or broken IdP is
// refused (DESIGN §10: https only, no redirects, no link-local/metadata address after DNS, 256 KiB, 5 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJwks, keySetTtlSeconds } from './jwks-fetch.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('a JWKS is fetched over http only with allowHttp, and Cache-Control comes back', async (t) => {
  const idp = await serve((_req, res) => res.writeHead(200, { 'cache-control': 'public, max-age=3600' }).end('{"keys":[]}'));
  t.after(idp.close);
  const uri = `http://127.0.0.1:${idp.port}/jwks`;
  assert.deepEqual(await fetchJwks(uri, { allowHttp: false }), { ok: false, failure: 'bad_uri' });
  const result = await fetchJwks(uri, { allowHttp: true });
  assert.ok(result.ok);
  assert.deepEqual(result.document, { keys: [] });
  assert.equal(keySetTtlSeconds(result.cacheControl), 3600);
});

test('the connection goes to the address that was resolved and checked, with the name as Host', async (t) => {
  let host: string | undefined;
  const idp = await serve((req, res) => {
    host = req.headers.host;
    res.writeHead(200).end('{"keys":[]}');
  });
  t.after(idp.close);
  const asked: string[] = [];
  const result = await fetchJwks(`http://idp.example.test:${idp.port}/jwks`, {
    allowHttp: true,
    resolve: (name) => {
      asked.push(name);
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    },
  });
  assert.ok(result.ok);
  assert.deepEqual(asked, ['idp.example.test']);
  assert.equal(host, `idp.example.test:${idp.port}`);
});

test('a redirect is not followed', async (t) => {
  let followed = false;
  const idp = await serve((req, res) => {
    if (req.url === '/elsewhere') followed = true;
    res.writeHead(302, { location: '/elsewhere' }).end();
  });
  t.after(idp.close);
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${idp.port}/jwks`, { allowHttp: true }), { ok: false, failure: 'redirect_refused' });
  assert.equal(followed, false);
});

test('169.254.169.254 and fd00:ec2::254 are refused before any connection', async () => {
  let resolved = false;
  const resolve = () => {
    resolved = true;
    return Promise.resolve([]);
  };
  for (const uri of ['http://169.254.169.254/latest/meta-data', 'https://[fd00:ec2::254]/jwks', 'https://[::ffff:169.254.169.254]/jwks', 'https://[fe80::1]/jwks']) {
    assert.deepEqual(await fetchJwks(uri, { allowHttp: true, resolve }), { ok: false, failure: 'address_refused' }, uri);
  }
  assert.equal(resolved, false);
});

test('a name that resolves to a link-local or metadata address is refused after DNS resolution', async () => {
  for (const answer of [
    [{ address: '169.254.169.254', family: 4 }],
    [{ address: 'fd00:ec2::254', family: 6 }],
    [{ address: '127.0.0.1', family: 4 }, { address: '169.254.10.1', family: 4 }],
  ]) {
    const result = await fetchJwks('https://rebind.example.test/jwks', { allowHttp: false, resolve: () => Promise.resolve(answer) });
    assert.deepEqual(result, { ok: false, failure: 'address_refused' });
  }
  assert.deepEqual(await fetchJwks('https://nxdomain.example.test/jwks', { allowHttp: false, resolve: () => Promise.reject(new Error('ENOTFOUND')) }), {
    ok: false,
    failure: 'dns_failure',
  });
});

test('a body over the limit is cut off, whether declared or streamed', async (t) => {
  const big = Buffer.alloc(300 * 1024, 'a');
  const declared = await serve((_req, res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big));
  const streamed = await serve((_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024, 'a')), 1);
    res.on('close', () => clearInterval(timer));
  });
  t.after(declared.close);
  t.after(streamed.close);
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${declared.port}/`, { allowHttp: true }), { ok: false, failure: 'too_large' });
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${streamed.port}/`, { allowHttp: true }), { ok: false, failure: 'too_large' });
});

test('a slow body (or no answer) ends the fetch at the deadline', async (t) => {
  const trickle = await serve((_req, res) => {
    res.writeHead(200);
    const timer = setInterval(() => res.write(' '), 20);
    res.on('close', () => clearInterval(timer));
  });
  const silent = await serve(() => undefined);
  t.after(trickle.close);
  t.after(silent.close);
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${trickle.port}/`, { allowHttp: true, timeoutMs: 200 }), { ok: false, failure: 'timeout' });
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${silent.port}/`, { allowHttp: true, timeoutMs: 200 }), { ok: false, failure: 'timeout' });
});

test('errors come back by class: a status, bad JSON, a refused connection', async (t) => {
  const broken = await serve((req, res) => (req.url === '/500' ? res.writeHead(500).end('secret stack trace') : res.writeHead(200).end('<html>')));
  t.after(broken.close);
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${broken.port}/500`, { allowHttp: true }), { ok: false, failure: 'http_status' });
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${broken.port}/`, { allowHttp: true }), { ok: false, failure: 'bad_json' });
  const closed = await serve(() => undefined);
  await closed.close();
  assert.deepEqual(await fetchJwks(`http://127.0.0.1:${closed.port}/`, { allowHttp: true }), { ok: false, failure: 'connect_failure' });
  assert.deepEqual(await fetchJwks('ftp://idp/jwks', { allowHttp: true }), { ok: false, failure: 'bad_uri' });
  assert.deepEqual(await fetchJwks('https://user:pw@idp/jwks', { allowHttp: true }), { ok: false, failure: 'bad_uri' });
});

test('Cache-Control max-age is clamped to [5 min, 24 h]; without one the key set is fresh 5 min', () => {
  assert.equal(keySetTtlSeconds(undefined), 300);
  assert.equal(keySetTtlSeconds('no-store'), 300);
  assert.equal(keySetTtlSeconds('max-age=0'), 300);
  assert.equal(keySetTtlSeconds('max-age=7200'), 7200);
  assert.equal(keySetTtlSeconds('public, max-age=99999999'), 86_400);
  assert.equal(keySetTtlSeconds('s-maxage=10, max-age=900'), 900);
});
