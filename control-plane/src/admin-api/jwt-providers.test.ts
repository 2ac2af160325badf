// jwt.providers and consumers[].jwtProvider through the admin API: stored in the options columns, read back and
// snapshotted as written; bad input is a 400 naming the exact path; a JWT subject is unique per provider. The
// control plane never fetches a jwksUri (nothing here listens on the one used).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';

const { server, ready } = withTestServer();
let a: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };

before(async () => {
  await ready;
  a = await registerTenantApi(server, 'JWT providers');
  assert.equal((await a.call('POST', '/services', { body: { name: 'users', url: 'http://127.0.0.1:9' } })).status, 201);
});

const provider = {
  name: 'corp',
  issuer: 'https://idp.example.com/',
  audiences: ['api'],
  jwksUri: 'https://idp.example.com/.well-known/jwks.json',
  algorithms: ['RS256', 'ES256'],
  consumerClaim: 'sub',
  claimsToHeaders: [{ claim: 'email', header: 'x-user-email' }],
};

test('a route with jwt.providers and a consumer with jwtProvider are stored, read back and reach the snapshot as written', async () => {
  const route = await a.call('POST', '/routes', { body: { name: 'idp', service: 'users', paths: ['/idp'], auth: 'jwt', jwt: { providers: [provider] } } });
  assert.equal(route.status, 201, route.text);
  assert.deepEqual(route.body.jwt, { providers: [provider] });
  const consumer = await a.call('POST', '/consumers', { body: { username: 'alice', jwtProvider: 'corp', jwtSubject: 'alice' } });
  assert.equal(consumer.status, 201, consumer.text);
  assert.equal(consumer.body.jwtProvider, 'corp');
  const hsTwin = await a.call('POST', '/consumers', { body: { username: 'alice-hs', jwtSubject: 'alice' } });
  assert.equal(hsTwin.status, 201, 'the same subject without a provider is another consumer');
  const twin = await a.call('POST', '/consumers', { body: { username: 'alice-2', jwtProvider: 'corp', jwtSubject: 'alice' } });
  assert.equal(twin.status, 409, twin.text);
  const config = (await a.call('GET', '/config')).body.config;
  assert.deepEqual(config.routes.find((r: { name: string }) => r.name === 'idp').jwt, { providers: [provider] });
  assert.equal(config.consumers.find((c: { username: string }) => c.username === 'alice').jwtProvider, 'corp');
});

test('bad providers are a 400 naming the exact path, through POST /routes and PUT /config', async () => {
  const viaRoute = await a.call('POST', '/routes', {
    body: { name: 'bad', service: 'users', paths: ['/bad'], auth: 'jwt', jwt: { providers: [{ ...provider, jwksUri: 'https://169.254.169.254/jwks' }] } },
  });
  assert.equal(viaRoute.status, 400, viaRoute.text);
  assert.equal(viaRoute.body.error.details[0].path, 'jwt.providers[0].jwksUri');

  const config = (await a.call('GET', '/config')).body.config;
  const routes = [...config.routes, { name: 'bad', service: 'users', paths: ['/bad'], auth: 'jwt', jwt: { providers: [provider, { ...provider, name: 'x', issuer: 'x', algorithms: ['HS256'] }] } }];
  const put = await a.call('PUT', '/config', { body: { config: { ...config, routes } } });
  assert.equal(put.status, 400, put.text);
  assert.equal(put.body.error.details[0].path, `config.routes[${routes.length - 1}].jwt.providers[1].algorithms[0]`);

  const header = await a.call('POST', '/routes', {
    body: { name: 'bad2', service: 'users', paths: ['/bad2'], auth: 'jwt', jwt: { providers: [{ ...provider, claimsToHeaders: [{ claim: 'sub', header: 'x-consumer-username' }] }] } },
  });
  assert.equal(header.status, 400);
  assert.equal(header.body.error.details[0].path, 'jwt.providers[0].claimsToHeaders[0].header');
});
