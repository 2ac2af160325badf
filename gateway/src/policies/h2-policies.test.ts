// The config-only policies over HTTP/2 both ways: an h2c client on an http2 listener, an h2c upstream. The
// rewritten Host goes upstream as :authority, header edits and direct answers work on HTTP/2 streams.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as h2Connect, createServer, type ClientHttp2Session, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startListeningGateway, type ListeningGateway } from '../testing/listening-gateway.js';
import { freePort } from '../testing/redis-server.js';

let upstream: Http2Server;
const seen: IncomingHttpHeaders[] = [];
let gateway: ListeningGateway;
let port: number;
let client: ClientHttp2Session;

before(async () => {
  upstream = createServer();
  upstream.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.respond({ ':status': 200, 'x-upstream': 'h2', server: 'upstream' });
    stream.end('ok');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  port = await freePort();
  gateway = await startListeningGateway({
    listeners: [{ name: 'web', port, protocol: 'HTTP', http2: true }],
    services: [{ name: 'h2', url: upstreamUrl, http2: true }],
    routes: [
      { name: 'rewrite', service: 'h2', paths: ['/old/*'], rewrite: { hostname: 'users.internal', path: { replacePrefixMatch: '/new' } }, responseHeaders: { set: { 'x-edited': 'yes' }, remove: ['server', 'x-upstream'] } },
      { name: 'preserve', service: 'h2', paths: ['/preserve'], preserveHost: true, requestHeaders: { set: { 'x-env': 'prod' } } },
      { name: 'cors', service: 'h2', paths: ['/cors'], cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] } },
      { name: 'redirect', service: 'h2', paths: ['/go/*'], redirect: { hostname: 'example.com', statusCode: 308 } },
    ],
  });
  client = h2Connect(`http://127.0.0.1:${port}`);
});

after(async () => {
  client.close();
  await gateway.close();
  upstream.close();
});

async function h2(headers: OutgoingHttpHeaders): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  const stream = client.request(headers);
  stream.end();
  const [response] = (await once(stream, 'response')) as [IncomingHttpHeaders];
  let body = '';
  for await (const chunk of stream) body += String(chunk);
  return { headers: response, body };
}

test('rewrite over HTTP/2: the upstream sees the new :authority and :path; response edits apply to the h2 response', async () => {
  const reply = await h2({ ':path': '/old/a?x=1', ':authority': 'api.example.com' });
  assert.equal(reply.headers[':status'], 200);
  assert.equal(reply.headers['x-edited'], 'yes');
  assert.equal(reply.headers.server, undefined);
  assert.equal(reply.headers['x-upstream'], undefined);
  const upstreamSaw = seen.at(-1) as IncomingHttpHeaders;
  assert.equal(upstreamSaw[':authority'], 'users.internal');
  assert.equal(upstreamSaw[':path'], '/new/a?x=1');
  assert.equal(upstreamSaw['x-forwarded-host'], 'api.example.com');
});

test("preserveHost over HTTP/2 sends the client's :authority upstream, with the request header edits", async () => {
  await h2({ ':path': '/preserve', ':authority': 'api.example.com' });
  const upstreamSaw = seen.at(-1) as IncomingHttpHeaders;
  assert.equal(upstreamSaw[':authority'], 'api.example.com');
  assert.equal(upstreamSaw['x-env'], 'prod');
});

test('a CORS preflight and a redirect are answered on the HTTP/2 stream without reaching the upstream', async () => {
  const before = seen.length;
  const preflight = await h2({ ':method': 'OPTIONS', ':path': '/cors', ':authority': 'api.example.com', origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
  assert.equal(preflight.headers[':status'], 204);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
  const redirect = await h2({ ':path': '/go/x', ':authority': 'api.example.com' });
  assert.equal(redirect.headers[':status'], 308);
  assert.equal(redirect.headers.location, `http://example.com:${port}/go/x`);
  assert.equal(seen.length, before);
});
