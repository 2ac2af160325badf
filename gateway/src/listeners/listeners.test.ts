import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as h2Connect, createServer as createH2Server, constants, type ClientHttp2Session } from 'node:http2';
import { createServer, connect as tcpConnect, type AddressInfo, type Server } from 'node:net';
import { Agent, request as httpRequest } from 'node:http';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { makeNamedCertificates, type NamedCertificates } from '../testing/tls-certificates.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { startListeningGateway } from '../testing/listening-gateway.js';
import { freePort } from '../testing/redis-server.js';
import { DEFAULT_CLIENT_LIMITS } from '../server/client-limits.js';
import { gatewayReadiness } from '../telemetry/readiness.js';

let certs: NamedCertificates;
let upstream: TestUpstream;

before(async () => {
  certs = makeNamedCertificates({ fallback: ['default.test'], exact: ['api.example.com'], wild: ['*.example.com'] });
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

const pushed = () => Object.entries(certs.certificates).map(([name, pair]) => ({ name, ...pair }));

function tlsConfig(port: number, extra: Record<string, unknown> = {}) {
  return {
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
    listeners: [{ name: 'web', port, protocol: 'HTTPS', tls: { certificates: ['fallback', 'exact', 'wild'] } }],
    certificates: pushed(),
    ...extra,
  };
}

function handshake(port: number, options: { servername?: string; minVersion?: 'TLSv1' | 'TLSv1.2'; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; alpn?: string[] }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: certs.ca,
      servername: options.servername,
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ALPNProtocols: options.alpn,
      // Let the client offer old versions, so a refusal is the server's.
      ciphers: options.minVersion === 'TLSv1' ? 'DEFAULT@SECLEVEL=0' : undefined,
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function sanOf(socket: TLSSocket): string {
  const san = socket.getPeerCertificate().subjectaltname ?? '';
  socket.destroy();
  return san;
}

async function h2Request(session: ClientHttp2Session, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const stream = session.request({ ':method': 'GET', ...headers });
  const [response] = (await once(stream, 'response')) as [Record<string, string | number>];
  let body = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) body += chunk as string;
  return { status: Number(response[':status']), body };
}

function connectH2(url: string, servername?: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = h2Connect(url, { ca: certs.ca, servername, checkServerIdentity: () => undefined });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

test('SNI picks the exact certificate, then the wildcard, then the listener’s first one', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(tlsConfig(port));
  try {
    assert.match(sanOf(await handshake(port, { servername: 'api.example.com' })), /DNS:api\.example\.com/);
    assert.match(sanOf(await handshake(port, { servername: 'shop.example.com' })), /DNS:\*\.example\.com/);
    assert.match(sanOf(await handshake(port, { servername: 'a.b.example.com' })), /DNS:default\.test/, 'a wildcard covers one label only');
    assert.match(sanOf(await handshake(port, { servername: 'unknown.test' })), /DNS:default\.test/);
    assert.match(sanOf(await handshake(port, {})), /DNS:default\.test/, 'no SNI gets the default certificate');
    const expiry = await gateway.metrics.registry.getSingleMetric('novagate_tls_certificate_expiry_timestamp_seconds')?.get();
    const names = (expiry?.values ?? []).map((value) => value.labels.certificate).sort();
    assert.deepEqual(names, ['exact', 'fallback', 'wild']);
    for (const value of expiry?.values ?? []) assert.ok(value.value > Date.now() / 1000, 'notAfter is in the future');
  } finally {
    await gateway.close();
  }
});

test('TLS 1.0 and 1.1 are refused; TLS 1.2 and 1.3 are served; ALPN negotiates h2', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(tlsConfig(port));
  try {
    const old = await handshake(port, { servername: 'api.example.com', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }).then(
      (socket) => {
        socket.destroy();
        return 'accepted';
      },
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    assert.notEqual(old, 'accepted');
    assert.notEqual(old, 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'the client did offer TLS 1.1');
    const v12 = await handshake(port, { servername: 'api.example.com', maxVersion: 'TLSv1.2' });
    assert.equal(v12.getProtocol(), 'TLSv1.2');
    v12.destroy();
    const h2 = await handshake(port, { servername: 'api.example.com', alpn: ['h2', 'http/1.1'] });
    assert.equal(h2.getProtocol(), 'TLSv1.3');
    assert.equal(h2.alpnProtocol, 'h2');
    h2.destroy();
    const h1 = await handshake(port, { servername: 'api.example.com', alpn: ['http/1.1'] });
    assert.equal(h1.alpnProtocol, 'http/1.1');
    h1.destroy();
  } finally {
    await gateway.close();
  }
});

test('TLS sessions resume from a ticket', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(tlsConfig(port));
  try {
    const ticket = await new Promise<Buffer>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.ca, servername: 'api.example.com' });
      socket.once('session', (session: Buffer) => {
        socket.destroy();
        resolve(session);
      });
      socket.once('error', reject);
      // TLS 1.3 sends the ticket after the handshake, once the client has read something.
      socket.once('secureConnect', () => socket.write('GET / HTTP/1.1\r\nhost: api.example.com\r\n\r\n'));
    });
    const resumed = await new Promise<boolean>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.ca, servername: 'api.example.com', session: ticket });
      socket.once('secureConnect', () => {
        resolve(socket.isSessionReused());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.equal(resumed, true);
  } finally {
    await gateway.close();
  }
});

test('an h2 request reaches an HTTP/1.1 upstream through the same pipeline: log line, metrics, request id, no pseudo-headers', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(tlsConfig(port));
  const session = await connectH2(`https://127.0.0.1:${port}`, 'api.example.com');
  try {
    const response = await h2Request(session, { ':path': '/hello?x=1', ':authority': 'api.example.com', 'x-request-id': 'h2-request-1' });
    assert.equal(response.status, 200);
    const echoed = JSON.parse(response.body) as { url: string; headers: Record<string, string> };
    assert.equal(echoed.url, '/hello?x=1');
    assert.equal(echoed.headers['x-request-id'], 'h2-request-1');
    assert.equal(echoed.headers['x-forwarded-proto'], 'https');
    assert.equal(echoed.headers['x-forwarded-host'], 'api.example.com');
    assert.ok(Object.keys(echoed.headers).every((name) => !name.startsWith(':')), 'no pseudo-header went upstream');
    // An h2 body without content-length still goes upstream.
    const post = session.request({ ':method': 'POST', ':path': '/body', ':authority': 'api.example.com' });
    post.end('payload');
    const [posted] = (await once(post, 'response')) as [Record<string, string | number>];
    post.resume();
    await once(post, 'end');
    assert.equal(posted[':status'], 200);
    const line = gateway.logLines().map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.requestId === 'h2-request-1');
    assert.equal(line?.route, 'all');
    assert.equal(line?.status, 200);
    assert.equal(line?.pathTemplate, '/*');
    const metrics = await gateway.metrics.registry.metrics();
    assert.match(metrics, /novagate_http_requests_total\{route="all",path="\/\*",method="GET",status="200"\} 1/);
  } finally {
    session.close();
    await gateway.close();
  }
});

test('h2c prior knowledge and HTTP/1.1 share an HTTP listener with http2: true', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
    listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
  });
  const session = await connectH2(`http://127.0.0.1:${port}`);
  try {
    const h2 = await h2Request(session, { ':path': '/x' });
    assert.equal(h2.status, 200);
    const h1 = await fetch(`http://127.0.0.1:${port}/y`);
    assert.equal(h1.status, 200);
    assert.equal(((await h1.json()) as { url: string }).url, '/y');
  } finally {
    session.close();
    await gateway.close();
  }
});

test('on an h2c listener, a connection that sends part of the preface and stalls is closed after HEADERS_TIMEOUT_MS', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(
    {
      services: [{ name: 'up', url: upstream.url }],
      routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
      listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
    },
    { clientLimits: { ...DEFAULT_CLIENT_LIMITS, headersTimeoutMs: 300, requestTimeoutMs: 1_000 } },
  );
  try {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('PRI * HTTP/2.0\r\n');
    const started = Date.now();
    await once(socket, 'close');
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 5_000, `closed after ${waited} ms`);
  } finally {
    await gateway.close();
  }
});

test('an HTTP/2 request body that never ends is reset after REQUEST_TIMEOUT_MS; the connection serves on', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(
    {
      services: [{ name: 'up', url: upstream.url }],
      routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
      listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
    },
    { clientLimits: { ...DEFAULT_CLIENT_LIMITS, headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, requestTimeoutMs: 800 } },
  );
  const session = await connectH2(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/upload' });
    stream.on('error', () => undefined);
    stream.resume();
    const started = Date.now();
    // One byte every 200 ms passes any idle bound; only the whole-request bound stops it.
    const trickle = setInterval(() => stream.write('x'), 200);
    await once(stream, 'close');
    clearInterval(trickle);
    const waited = Date.now() - started;
    assert.ok(waited >= 700 && waited < 5_000, `reset after ${waited} ms`);
    assert.equal((await h2Request(session, { ':path': '/after' })).status, 200);
  } finally {
    session.close();
    await gateway.close();
  }
});

test('an HTTP/2 request body without content-length that stops arriving gets 408 after BODY_IDLE_TIMEOUT_MS; the connection serves on', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway(
    {
      services: [{ name: 'up', url: upstream.url }],
      routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
      listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
    },
    { clientLimits: { ...DEFAULT_CLIENT_LIMITS, headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, requestTimeoutMs: 10_000 } },
  );
  const session = await connectH2(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ':method': 'POST', ':path': '/upload' });
    stream.on('error', () => undefined);
    const started = Date.now();
    stream.write('first bytes, then silence');
    const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
    const waited = Date.now() - started;
    assert.equal(headers[':status'], 408);
    assert.ok(waited >= 250 && waited < 5_000, `answered after ${waited} ms, long before REQUEST_TIMEOUT_MS`);
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    await once(stream, 'close');
    assert.match(text, /"code":"request_timeout"/, 'the 408 body arrives whole before the stream is reset');
    // The client never ended its half: the gateway resets the stream once the 408 is out, not at REQUEST_TIMEOUT_MS.
    assert.ok(Date.now() - started < 5_000, `stream closed after ${Date.now() - started} ms`);
    assert.equal((await h2Request(session, { ':path': '/after' })).status, 200);
  } finally {
    session.close();
    await gateway.close();
  }
});

test('an HTTP/2 body that stalls while its upstream request is in flight: 408, the upstream request cancelled at once, and a late upstream answer harms nothing', { timeout: 30_000 }, async () => {
  // Each upstream answers 700 ms after the request came, unless the gateway gave the request up first.
  const cancelled: string[] = [];
  const answerLate = (name: string, closed: (listener: () => void) => void, respond: () => void) => {
    let gone = false;
    closed(() => {
      if (!gone) cancelled.push(name);
      gone = true;
    });
    setTimeout(() => {
      if (gone) return;
      gone = true;
      respond();
    }, 700);
  };
  const h1 = await startUpstream((req, res) => {
    req.resume();
    answerLate('h1', (listener) => res.once('close', listener), () => res.writeHead(200).end('late'));
  });
  const h2 = createH2Server();
  h2.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.resume();
    answerLate('h2', (listener) => stream.once('close', listener), () => {
      stream.respond({ ':status': 200 });
      stream.end('late');
    });
  });
  h2.listen(0, '127.0.0.1');
  await once(h2, 'listening');
  const port = await freePort();
  const gateway = await startListeningGateway(
    {
      services: [
        { name: 'h1', url: h1.url },
        { name: 'h2', url: `http://127.0.0.1:${(h2.address() as AddressInfo).port}`, http2: true },
      ],
      routes: [
        { name: 'h1', service: 'h1', paths: ['/h1/*'] },
        { name: 'h2', service: 'h2', paths: ['/h2/*'] },
      ],
      listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
    },
    { clientLimits: { ...DEFAULT_CLIENT_LIMITS, headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, requestTimeoutMs: 10_000 } },
  );
  // A client that grants no flow-control window: the 408's body cannot be sent, so that stream stays open.
  const session = h2Connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 0 } });
  session.on('error', () => undefined);
  try {
    for (const [path, length] of [['/h1/upload', undefined], ['/h2/upload', undefined], ['/h1/sized', '1000'], ['/h2/sized', '1000']] as const) {
      const stream = session.request({ ':method': 'POST', ':path': path, ...(length === undefined ? {} : { 'content-length': length }) });
      stream.on('error', () => undefined);
      stream.write('first bytes, then silence');
      const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
      assert.equal(headers[':status'], 408, path);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(cancelled.sort(), ['h1', 'h1', 'h2', 'h2'], 'every upstream request was cancelled when its body stalled');
  } finally {
    session.destroy();
    await gateway.close();
    await h1.close();
    h2.close();
  }
});

test('a listener without http2 answers an h2c preface as HTTP/1.1 would (no HTTP/2)', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
    listeners: [{ name: 'plain', port, protocol: 'HTTP' }],
  });
  try {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    await once(socket, 'close');
    assert.match(answer, /^HTTP\/1\.1 (400|505)/);
  } finally {
    await gateway.close();
  }
});

test('routes compete only within their listener; a host of another listener on a reused connection gets 421', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [
      { name: 'api-only', service: 'up', paths: ['/*'], listeners: ['api'] },
      { name: 'shop-only', service: 'up', paths: ['/*'], listeners: ['shops'] },
    ],
    listeners: [
      { name: 'api', port, protocol: 'HTTPS', hostname: 'api.example.com', tls: { certificates: ['exact'] } },
      { name: 'shops', port, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificates: ['wild'] } },
    ],
    certificates: pushed(),
  });
  const session = await connectH2(`https://127.0.0.1:${port}`, 'api.example.com');
  const shop = await connectH2(`https://127.0.0.1:${port}`, 'shop.example.com');
  try {
    assert.equal((await h2Request(session, { ':path': '/a', ':authority': 'api.example.com' })).status, 200);
    const coalesced = await h2Request(session, { ':path': '/a', ':authority': 'shop.example.com' });
    assert.equal(coalesced.status, 421);
    assert.equal((JSON.parse(coalesced.body) as { error: { code: string } }).error.code, 'misdirected_request');
    assert.equal((await h2Request(shop, { ':path': '/a', ':authority': 'shop.example.com' })).status, 200);
    const nowhere = await h2Request(shop, { ':path': '/a', ':authority': 'other.test' });
    assert.equal(nowhere.status, 404, 'a host no listener on the port serves: route_not_found, as without listeners');
    const routes = gateway
      .logLines()
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((entry) => entry.status === 200)
      .map((entry) => entry.route);
    assert.deepEqual(routes, ['api-only', 'shop-only']);
  } finally {
    session.close();
    shop.close();
    await gateway.close();
  }
});

test('a Host matching no listener on the port is 404 route_not_found; the most specific listener wins', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [
      { name: 'exact', service: 'up', paths: ['/*'], listeners: ['exact'] },
      { name: 'short-wild', service: 'up', paths: ['/*'], listeners: ['short'] },
      { name: 'long-wild', service: 'up', paths: ['/*'], listeners: ['long'] },
    ],
    listeners: [
      { name: 'short', port, protocol: 'HTTP', hostname: '*.example.com' },
      { name: 'long', port, protocol: 'HTTP', hostname: '*.eu.example.com' },
      { name: 'exact', port, protocol: 'HTTP', hostname: 'a.eu.example.com' },
    ],
  });
  const routeFor = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (const host of ['a.eu.example.com', 'b.eu.example.com', 'b.example.com', 'example.com', 'other.test']) await routeFor(host);
    const logged = gateway
      .logLines()
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((entry) => entry.requestId !== undefined)
      .map((entry) => `${String(entry.route)}:${String(entry.status)}`);
    assert.deepEqual(logged, ['exact:200', 'long-wild:200', 'short-wild:200', 'unmatched:404', 'unmatched:404']);
  } finally {
    await gateway.close();
  }
});

test('a config whose listener cannot bind is refused by name; the last good config keeps serving', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as { port: number }).port;
  const base = { services: [{ name: 'up', url: upstream.url }], routes: [{ name: 'all', service: 'up', paths: ['/*'] }] };
  const gateway = await startListeningGateway({ ...base, listeners: [{ name: 'main', port, protocol: 'HTTP' }] });
  try {
    const refused = await gateway.apply({
      ...base,
      routes: [{ name: 'changed', service: 'up', paths: ['/*'] }],
      listeners: [
        { name: 'main', port, protocol: 'HTTP' },
        { name: 'extra', port: takenPort, protocol: 'HTTP' },
      ],
    });
    assert.equal(refused.ok, false);
    assert.deepEqual(!refused.ok && refused.problems, [
      { path: 'listeners[1]', message: `listener 'extra' cannot listen on port ${takenPort}: address already in use` },
    ]);
    const response = await fetch(`http://127.0.0.1:${port}/still`);
    assert.equal(response.status, 200);
    assert.equal(gateway.store.current()?.config.routes[0]?.name, 'all', 'the refused config never switched in');
  } finally {
    taken.close();
    await gateway.close();
  }
});

test('changing routes keeps an open keep-alive connection; a removed listener stops accepting', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const second = await freePort();
  const base = { services: [{ name: 'up', url: upstream.url }] };
  const gateway = await startListeningGateway({
    ...base,
    routes: [{ name: 'first', service: 'up', paths: ['/*'] }],
    listeners: [
      { name: 'main', port, protocol: 'HTTP' },
      { name: 'other', port: second, protocol: 'HTTP' },
    ],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status: number; localPort: number }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/k', agent }, (res) => {
        const localPort = res.socket.localPort ?? -1;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort }));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const before = await get();
    const applied = await gateway.apply({ ...base, routes: [{ name: 'second', service: 'up', paths: ['/*'] }], listeners: [{ name: 'main', port, protocol: 'HTTP' }] });
    assert.equal(applied.ok, true);
    const afterChange = await get();
    assert.equal(afterChange.status, 200);
    assert.equal(afterChange.localPort, before.localPort, 'the same connection served both requests');
    const lines = gateway.logLines().map((text) => JSON.parse(text) as Record<string, unknown>).filter((entry) => entry.requestId !== undefined);
    assert.deepEqual(lines.map((entry) => entry.route), ['first', 'second']);
    const refused = await fetch(`http://127.0.0.1:${second}/`).then(
      () => 'served',
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    assert.equal(refused, 'ECONNREFUSED');
  } finally {
    agent.destroy();
    await gateway.close();
  }
});

test('an HTTP port switched to HTTPS serves TLS to new connections; an HTTPS listener naming an unknown certificate is refused', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const base = { services: [{ name: 'up', url: upstream.url }], routes: [{ name: 'all', service: 'up', paths: ['/*'] }] };
  const gateway = await startListeningGateway({ ...base, listeners: [{ name: 'main', port, protocol: 'HTTP' }] });
  try {
    const missing = await gateway.apply({ ...base, listeners: [{ name: 'main', port, protocol: 'HTTPS', tls: { certificates: ['nowhere'] } }] });
    assert.deepEqual(!missing.ok && missing.problems, [
      { path: 'listeners[0].tls.certificates[0]', message: "listener 'main' names certificate 'nowhere', which is neither in certificates nor in TLS_CERT_DIR" },
    ]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    assert.equal((await gateway.apply(tlsConfig(port))).ok, true);
    const session = await connectH2(`https://127.0.0.1:${port}`, 'api.example.com');
    assert.equal((await h2Request(session, { ':path': '/', ':authority': 'api.example.com' })).status, 200);
    session.close();
  } finally {
    await gateway.close();
  }
});

test('HTTP/2 abuse is bounded: concurrent streams, header list size, rapid reset', { timeout: 60_000 }, async () => {
  let held: (() => void)[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const slow = await startUpstream((req, res) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    req.resume();
    held.push(() => {
      concurrent--;
      res.end('done');
    });
  });
  const port = await freePort();
  const gateway = await startListeningGateway(
    {
      services: [{ name: 'up', url: slow.url }],
      routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
      listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
    },
    { http2: { maxConcurrentStreams: 10, maxHeaderListSize: 16 * 1024, maxResetsPerSecond: 50 } },
  );
  try {
    const session = await connectH2(`http://127.0.0.1:${port}`);
    await once(session, 'remoteSettings');
    assert.equal(session.remoteSettings.maxConcurrentStreams, 10);
    assert.equal(session.remoteSettings.maxHeaderListSize, 16 * 1024);
    const streams = Array.from({ length: 15 }, () => {
      const stream = session.request({ ':path': '/hold' });
      stream.on('error', () => undefined);
      stream.resume();
      return stream;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(maxConcurrent <= 10, `at most 10 streams at once reached the upstream (saw ${maxConcurrent})`);
    const release = () => {
      const now = held;
      held = [];
      now.forEach((done) => done());
    };
    while (streams.some((stream) => !stream.closed)) {
      release();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // A header list above the bound never reaches the upstream.
    const before = slow.received.length;
    const huge = session.request({ ':path': '/huge', 'x-big': 'a'.repeat(20 * 1024) });
    const outcome = await new Promise<string>((resolve) => {
      huge.on('response', (headers) => resolve(String(headers[':status'])));
      huge.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      huge.on('close', () => resolve('closed'));
    });
    assert.notEqual(outcome, '200');
    assert.equal(slow.received.length, before, 'the huge request was not forwarded');
    session.destroy();

    // Rapid reset: streams opened and cancelled at once.
    const attacker = await connectH2(`http://127.0.0.1:${port}`);
    let goaway: number | undefined;
    attacker.on('error', () => undefined);
    attacker.on('goaway', (code: number) => (goaway = code));
    const closed = new Promise((resolve) => attacker.once('close', resolve));
    for (let i = 0; i < 500 && !attacker.closed && !attacker.destroyed; i++) {
      const stream = attacker.request({ ':path': '/hold' });
      stream.on('error', () => undefined);
      stream.close(constants.NGHTTP2_CANCEL);
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
      release();
    }
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the session was not closed')), 5_000))]);
    release();
    assert.equal(goaway, constants.NGHTTP2_ENHANCE_YOUR_CALM);
    const resets = await gateway.metrics.registry.getSingleMetric('novagate_http2_rapid_reset_total')?.get();
    assert.equal(resets?.values[0]?.value, 1, 'the gateway’s own bound closed it');
    // Other clients are unaffected.
    const fresh = await connectH2(`http://127.0.0.1:${port}`);
    const ok = fresh.request({ ':path': '/after' });
    ok.resume();
    setTimeout(release, 50);
    const [headers] = (await once(ok, 'response')) as [Record<string, string | number>];
    assert.equal(headers[':status'], 200);
    fresh.close();
  } finally {
    await gateway.close();
    await slow.close();
  }
});

test('GATEWAY_NAME serves only the listeners it owns; unset, only those with no owner', { timeout: 30_000 }, async () => {
  const owned = await freePort();
  const unowned = await freePort();
  const config = {
    services: [{ name: 'up', url: upstream.url }],
    routes: [
      { name: 'for-gateway', service: 'up', paths: ['/*'], listeners: ['owned'] },
      { name: 'default', service: 'up', paths: ['/*'] },
    ],
    listeners: [
      { name: 'owned', port: owned, protocol: 'HTTP', gateway: 'infra/edge' },
      { name: 'unowned', port: unowned, protocol: 'HTTP' },
    ],
  };
  const reach = (port: number) => fetch(`http://127.0.0.1:${port}/`).then((response) => response.status, () => 'refused');
  const named = await startListeningGateway(config, { gatewayName: 'infra/edge' });
  try {
    assert.equal(await reach(owned), 200);
    assert.equal(await reach(unowned), 'refused');
  } finally {
    await named.close();
  }
  const plain = await startListeningGateway(config);
  try {
    assert.equal(await reach(owned), 'refused');
    assert.equal(await reach(unowned), 200);
    const routes = plain.logLines().map((text) => JSON.parse(text) as Record<string, unknown>).filter((entry) => entry.requestId !== undefined).map((entry) => entry.route);
    assert.deepEqual(routes, ['default'], 'a route naming no listener attaches to the listeners without an owner');
  } finally {
    await plain.close();
  }
});

test('a gateway without GATEWAY_NAME keeps the implicit listener on PORT when the first owned listener is added', { timeout: 30_000 }, async () => {
  const owned = await freePort();
  const services = [{ name: 'up', url: upstream.url }];
  const gateway = await startListeningGateway({ services, routes: [{ name: 'default', service: 'up', paths: ['/*'] }] });
  try {
    const port = gateway.listeners.addressOf(0)?.port;
    assert.ok(port !== undefined, 'the implicit listener is open');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
          response.resume();
          response.once('end', () => resolve(response.statusCode ?? 0));
        });
        request.once('error', reject);
        request.end();
      });
    assert.equal(await get('/before'), 200);
    const applied = await gateway.apply({
      services,
      routes: [
        { name: 'default', service: 'up', paths: ['/*'] },
        { name: 'for-gateway', service: 'up', paths: ['/gw/*'], listeners: ['http'] },
      ],
      listeners: [{ name: 'http', port: owned, protocol: 'HTTP', gateway: 'infra/edge' }],
    });
    assert.equal(applied.ok, true);
    assert.equal(gateway.listeners.addressOf(0)?.port, port, 'PORT stays open');
    assert.equal(await get('/after'), 200, 'the kept-alive connection serves on');
    assert.equal(await get('/gw/x'), 200, 'answered by the unscoped route, not the one of the owned listener');
    assert.equal(await fetch(`http://127.0.0.1:${owned}/`).then((response) => response.status, () => 'refused'), 'refused', 'another gateway’s listener is not bound');
    agent.destroy();
    const routes = gateway.logLines().map((text) => JSON.parse(text) as Record<string, unknown>).filter((entry) => entry.requestId !== undefined).map((entry) => entry.route);
    assert.deepEqual(routes, ['default', 'default', 'default'], 'a route naming an owned listener never attaches to the implicit one, even by the name `http`');
  } finally {
    await gateway.close();
  }
});

test('a gateway with GATEWAY_NAME whose listeners are not written yet serves nothing, says so once, and is not ready', { timeout: 30_000 }, async () => {
  const owned = await freePort();
  const services = [{ name: 'up', url: upstream.url }];
  const routes = [{ name: 'default', service: 'up', paths: ['/*'] }];
  const gateway = await startListeningGateway({ services, routes }, { gatewayName: 'infra/edge' });
  try {
    assert.equal(gateway.listeners.addressOf(0), undefined, 'no implicit listener for a named gateway');
    assert.equal(gatewayReadiness({ current: gateway.store.current(), draining: false }).ready, false);
    assert.equal((await gateway.apply({ services, routes: [...routes, { name: 'r2', service: 'up', paths: ['/2'] }] })).ok, true);
    const unowned = await freePort();
    assert.equal((await gateway.apply({ services, routes, listeners: [{ name: 'other', port: unowned, protocol: 'HTTP' }] })).ok, true);
    assert.equal(await fetch(`http://127.0.0.1:${unowned}/`).then((response) => response.status, () => 'refused'), 'refused', 'unowned listeners are not its own');
    const warnings = gateway.logLines().filter((line) => line.includes('no listener to serve'));
    assert.equal(warnings.length, 1, 'said once across configs that leave it nothing');
    const withOwned = { services, routes: [...routes, { name: 'mine', service: 'up', paths: ['/mine'], listeners: ['web'] }], listeners: [{ name: 'web', port: owned, protocol: 'HTTP', gateway: 'infra/edge' }] };
    assert.equal((await gateway.apply(withOwned)).ok, true);
    assert.equal(await fetch(`http://127.0.0.1:${owned}/mine`).then((response) => response.status), 200);
    assert.equal(await fetch(`http://127.0.0.1:${owned}/other`).then((response) => response.status), 404, 'a route naming no listener stays off an owned one');
    assert.equal(gatewayReadiness({ current: gateway.store.current(), draining: false }).ready, true);
  } finally {
    await gateway.close();
  }
});

test('a SETTINGS flood (frames sent faster than their ACKs are read) closes the connection', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
    listeners: [{ name: 'plain', port, protocol: 'HTTP', http2: true }],
  });
  try {
    const socket = tcpConnect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    // Never read: every ACK the gateway owes piles up on its side.
    socket.pause();
    const emptySettings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), emptySettings]));
    let sent = 0;
    while (!socket.destroyed && sent < 200_000) {
      socket.write(Buffer.concat(Array.from({ length: 1000 }, () => emptySettings)));
      sent += 1000;
      await new Promise((resolve) => setImmediate(resolve));
      if (socket.writableLength > 1024 * 1024) break;
    }
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`still open after ${sent} SETTINGS frames`)), 10_000))]);
    // The port keeps serving others.
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  } finally {
    await gateway.close();
  }
});

test('a WebSocket over an HTTPS listener (HTTP/1.1 by ALPN) is tunnelled to the upstream', { timeout: 30_000 }, async () => {
  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(echo, 'listening');
  echo.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));
  const port = await freePort();
  const gateway = await startListeningGateway({
    services: [{ name: 'ws', url: `http://127.0.0.1:${(echo.address() as { port: number }).port}` }],
    routes: [{ name: 'socket', service: 'ws', paths: ['/ws'] }],
    listeners: [{ name: 'web', port, protocol: 'HTTPS', tls: { certificates: ['exact'] } }],
    certificates: pushed(),
  });
  try {
    // `servername` reaches tls.connect through ws (its types leave it out).
    const options = { ca: certs.ca, servername: 'api.example.com', headers: { host: 'api.example.com' } } as ClientOptions;
    const client = new WebSocket(`wss://127.0.0.1:${port}/ws`, options);
    await once(client, 'open');
    client.send('hello');
    const [message] = (await once(client, 'message')) as [Buffer];
    assert.equal(String(message), 'echo:hello');
    client.close();
    await once(client, 'close');
  } finally {
    await gateway.close();
    echo.close();
  }
});
