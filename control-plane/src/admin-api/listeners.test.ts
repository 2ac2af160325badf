import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { makePushedCertificates, type PushedCertificates } from '../testing/pushed-certificates.js';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';

const { server, ready } = withTestServer();
let pem: PushedCertificates;
let a: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };
let b: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };

before(async () => {
  await ready;
  pem = makePushedCertificates();
  a = await registerTenantApi(server, 'Listeners A');
  b = await registerTenantApi(server, 'Listeners B');
});

const web = { name: 'web', port: 443, bindPort: 10443, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificates: ['example-com'] } };

test('a listener is stored, listed, read by name and id, and reaches the config snapshot; another tenant sees none of it', async () => {
  const created = await a.call('POST', '/listeners', { body: web });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.managedBy, 'api');
  assert.deepEqual({ ...created.body, id: undefined, managedBy: undefined, createdAt: undefined, updatedAt: undefined }, {
    ...web,
    id: undefined,
    managedBy: undefined,
    createdAt: undefined,
    updatedAt: undefined,
  });
  assert.deepEqual((await a.call('GET', `/listeners/${created.body.id}`)).body, created.body);
  assert.deepEqual((await a.call('GET', '/listeners/web')).body, created.body);
  assert.deepEqual((await a.call('GET', '/listeners')).body.data.map((l: { name: string }) => l.name), ['web']);
  const config = await a.call('GET', '/config');
  assert.deepEqual(config.body.config.listeners, [web]);

  assert.deepEqual((await b.call('GET', '/listeners')).body.data, []);
  assert.equal((await b.call('GET', `/listeners/${created.body.id}`)).status, 404);
  assert.equal((await b.call('GET', '/config')).body.config.listeners, undefined, 'a tenant without listeners keeps a snapshot without the field');
});

test('a listener that clashes with another on its port is a 400 naming the field, and a malformed one names its field', async () => {
  const plain = await a.call('POST', '/listeners', { body: { name: 'clash', port: 443, bindPort: 10443, protocol: 'HTTP' } });
  assert.equal(plain.status, 400, plain.text);
  assert.deepEqual([...new Set(plain.body.error.details.map((d: { path: string }) => d.path))], ['protocol']);
  assert.match(plain.body.error.message, /one protocol per port/);

  const sameHost = await a.call('POST', '/listeners', { body: { ...web, name: 'web-2' } });
  assert.equal(sameHost.status, 400, sameHost.text);
  assert.deepEqual([...new Set(sameHost.body.error.details.map((d: { path: string }) => d.path))], ['hostname']);

  const noTls = await a.call('POST', '/listeners', { body: { name: 'bare', port: 8443, protocol: 'HTTPS' } });
  assert.equal(noTls.status, 400);
  assert.equal(noTls.body.error.details[0].path, 'tls');

  const badPort = await a.call('POST', '/listeners', { body: { name: 'huge', port: 70000, protocol: 'HTTP' } });
  assert.equal(badPort.status, 400);
  assert.equal(badPort.body.error.details[0].path, 'port');

  const reserved = await a.call('POST', '/listeners', { body: { name: 'k8s.x', port: 8080, protocol: 'HTTP' } });
  assert.equal(reserved.status, 400);
  assert.equal(reserved.body.error.details[0].path, 'name');
});

test('a route names only existing listeners, a listener a route names cannot be deleted or renamed, and a certificate a listener names cannot be deleted', async () => {
  assert.equal((await a.call('POST', '/services', { body: { name: 'users', url: 'http://127.0.0.1:9' } })).status, 201);
  const missing = await a.call('POST', '/routes', { body: { name: 'r-missing', service: 'users', paths: ['/m'], listeners: ['nope'] } });
  assert.equal(missing.status, 422, missing.text);
  assert.equal(missing.body.error.details[0].path, 'listeners[0]');

  const route = await a.call('POST', '/routes', { body: { name: 'r-web', service: 'users', paths: ['/u'], listeners: ['web'] } });
  assert.equal(route.status, 201, route.text);
  assert.deepEqual(route.body.listeners, ['web']);

  const del = await a.call('DELETE', '/listeners/web');
  assert.equal(del.status, 409, del.text);
  assert.equal(del.body.error.code, 'in_use');
  assert.match(del.body.error.message, /'r-web'/);
  const rename = await a.call('PUT', '/listeners/web', { body: { ...web, name: 'web-renamed' } });
  assert.equal(rename.status, 409, rename.text);

  const certificate = await a.call('POST', '/certificates', { body: { name: 'example-com', cert: pem.leaf.chain, key: pem.leaf.key } });
  if (certificate.status === 503) return; // SECRETS_ENCRYPTION_KEY unset in this server: certificates are off
  assert.equal(certificate.status, 201, certificate.text);
  const delCert = await a.call('DELETE', '/certificates/example-com');
  assert.equal(delCert.status, 409, delCert.text);
  assert.match(delCert.body.error.message, /listener 'web'/);

  // Once nothing names them, both go.
  assert.equal((await a.call('DELETE', '/routes/r-web')).status, 204);
  assert.equal((await a.call('DELETE', '/listeners/web')).status, 204);
  assert.equal((await a.call('DELETE', '/certificates/example-com')).status, 204);
});

test('fields without a column of their own (targets, load balancing, health checks, timeouts, retry) are stored and snapshotted as written, and defaults stay out', async () => {
  const service = {
    name: 'pool',
    targets: [
      { url: 'http://10.0.0.1:8080', weight: 3 },
      { url: 'http://10.0.0.2:8080', weight: 1 },
    ],
    loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } },
    healthChecks: { passive: { consecutiveFailures: 3, ejectionMs: 10_000, maxEjectionPercent: 50 } },
  };
  const created = await b.call('POST', '/services', { body: service });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.body.targets, service.targets);
  assert.equal(created.body.url, undefined);
  assert.deepEqual(created.body.loadBalancing, service.loadBalancing);

  const route = await b.call('POST', '/routes', {
    body: { name: 'pooled', service: 'pool', paths: ['/p'], timeouts: { requestMs: 15_000, backendRequestMs: 5_000 }, retry: { attempts: 2, on: ['connect-failure', '503'] } },
  });
  assert.equal(route.status, 201, route.text);
  assert.deepEqual(route.body.retry, { attempts: 2, on: ['connect-failure', '503'], backoffMs: 25 });

  const snapshot = (await b.call('GET', '/config')).body.config;
  const stored = snapshot.services.find((s: { name: string }) => s.name === 'pool');
  assert.deepEqual(stored.targets, service.targets);
  assert.deepEqual(stored.healthChecks, service.healthChecks);
  const storedRoute = snapshot.routes.find((r: { name: string }) => r.name === 'pooled');
  assert.deepEqual(storedRoute.timeouts, { requestMs: 15_000, backendRequestMs: 5_000 });

  // Back to a plain url: the pool fields are gone from the row, not left behind in options.
  const plain = await b.call('PUT', '/services/pool', { body: { name: 'pool', url: 'http://10.0.0.3:8080' } });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.body.targets, undefined);
  assert.equal(plain.body.loadBalancing, undefined);
  assert.deepEqual(Object.keys(plain.body).sort(), ['connectTimeoutMs', 'createdAt', 'id', 'managedBy', 'name', 'retries', 'timeoutMs', 'updatedAt', 'url']);
});

test('bad pool and retry input is a 400 naming the field', async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ name: 'both', url: 'http://a:1', targets: [] }, '/services', 'url'],
    [{ name: 'zero', targets: [{ url: 'http://a:1', weight: 0 }] }, '/services', 'targets'],
    [{ name: 'algo', url: 'http://a:1', loadBalancing: { algorithm: 'random' } }, '/services', 'loadBalancing.algorithm'],
    [{ name: 'hash', url: 'http://a:1', loadBalancing: { algorithm: 'consistent-hash' } }, '/services', 'loadBalancing.hashOn'],
    [{ name: 'post-retry', service: 'pool', paths: ['/x'], methods: ['POST'], retry: { attempts: 2, on: ['503'] } }, '/routes', 'retry.on'],
    [{ name: 'timeouts', service: 'pool', paths: ['/x'], timeouts: { requestMs: 1_000, backendRequestMs: 5_000 } }, '/routes', 'timeouts.backendRequestMs'],
  ];
  for (const [body, path, field] of cases) {
    const answer = await b.call('POST', path, { body });
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
    assert.ok(
      answer.body.error.details.some((d: { path: string }) => d.path === field),
      `${JSON.stringify(body)} names ${field}: ${JSON.stringify(answer.body.error.details)}`,
    );
  }
});

test('PUT /config writes listeners with routes that name them, replaces them, and refuses a route naming an undefined listener', async () => {
  const config = {
    services: [{ name: 'svc', url: 'http://127.0.0.1:9' }],
    routes: [{ name: 'on-alt', service: 'svc', paths: ['/alt'], listeners: ['alt'] }],
    consumers: [],
    listeners: [{ name: 'alt', port: 8081, protocol: 'HTTP', http2: true }],
  };
  const put = await a.call('PUT', '/config', { body: { config } });
  assert.equal(put.status, 200, put.text);
  const read = (await a.call('GET', '/config')).body.config;
  assert.deepEqual(read.listeners, config.listeners);
  assert.deepEqual(read.routes[0].listeners, ['alt']);

  const undefinedListener = await a.call('PUT', '/config', {
    body: { config: { ...config, listeners: [] } },
  });
  assert.equal(undefinedListener.status, 400, undefinedListener.text);
  assert.ok(undefinedListener.body.error.details.some((d: { path: string }) => d.path === 'config.routes[0].listeners[0]'), undefinedListener.text);

  const cleared = await a.call('PUT', '/config', { body: { config: { services: [], routes: [], consumers: [] } } });
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual((await a.call('GET', '/listeners')).body.data, []);
  assert.equal((await a.call('GET', '/config')).body.config.listeners, undefined);
});

test('two routes with the same path on different listeners are not a conflict; on a shared listener they are', async () => {
  const { call } = await registerTenantApi(server, 'Listeners C');
  for (const name of ['public', 'internal']) assert.equal((await call('POST', '/listeners', { body: { name, port: name === 'public' ? 8081 : 8082, protocol: 'HTTP' } })).status, 201);
  assert.equal((await call('POST', '/services', { body: { name: 'svc', url: 'http://127.0.0.1:9' } })).status, 201);
  assert.equal((await call('POST', '/routes', { body: { name: 'pub', service: 'svc', paths: ['/x'], listeners: ['public'] } })).status, 201);
  const other = await call('POST', '/routes', { body: { name: 'int', service: 'svc', paths: ['/x'], listeners: ['internal'] } });
  assert.equal(other.status, 201, other.text);
  const clash = await call('POST', '/routes', { body: { name: 'both', service: 'svc', paths: ['/x'], listeners: ['internal', 'public'] } });
  assert.equal(clash.status, 409, clash.text);
  assert.equal(clash.body.error.code, 'conflict');
});

test('a certificate a listener names cannot be renamed, nor dropped by PUT /config while the listener stays', async () => {
  const { call } = await registerTenantApi(server, 'Listeners D');
  const certificate = await call('POST', '/certificates', { body: { name: 'site', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(certificate.status, 201, certificate.text);
  const listener = { name: 'tls', port: 443, bindPort: 10443, protocol: 'HTTPS', tls: { certificates: ['site'] } };
  assert.equal((await call('POST', '/listeners', { body: listener })).status, 201);

  const rename = await call('PUT', '/certificates/site', { body: { name: 'site-2', cert: pem.leaf.chain, key: certificate.body.key } });
  assert.equal(rename.status, 409, rename.text);
  assert.match(rename.body.error.message, /listener 'tls'/);

  const config = (await call('GET', '/config')).body.config;
  const dropped = await call('PUT', '/config', { body: { config: { ...config, certificates: [] } } });
  assert.equal(dropped.status, 409, dropped.text);
  assert.equal(dropped.body.error.code, 'in_use');
  assert.equal((await call('GET', '/certificates/site')).status, 200, 'the refused PUT changed nothing');

  // Dropping both together is fine.
  const both = await call('PUT', '/config', { body: { config: { ...config, certificates: [], listeners: [] } } });
  assert.equal(both.status, 200, both.text);
  assert.equal((await call('GET', '/certificates/site')).status, 404);
});
