// jwt.providers through a real gateway and real sockets: an https IdP whose CA the gateway trusts, claims as
// upstream headers (a client's copies stripped), HS256 refused on a provider route while a route without
// providers keeps today's HS256, and consumers scoped to their provider.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { signHs256 } from '../../testing/jwt-token.js';
import { makeKey, signToken } from '../../testing/jwt-idp.js';
import { makeTestCertificates } from '../../testing/tls-certificates.js';
import { JwksSources } from './key-source.js';

const ISSUER = 'https://idp.example.test/';
let upstream: TestUpstream;
let gateway: TestGateway;
let idp: Server;
let idpHits = 0;
const rs = makeKey('RS256', 'rs-1');
const ed = makeKey('EdDSA', 'ed-1');
const exp = () => Math.floor(Date.now() / 1000) + 300;

before(async () => {
  const certificates = makeTestCertificates();
  idp = createServer({ cert: readFileSync(certificates.serverCertFile), key: readFileSync(certificates.serverKeyFile) }, (req, res) => {
    idpHits++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=900' }).end(JSON.stringify({ keys: [rs.jwk, ed.jwk] }));
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const idpPort = (idp.address() as AddressInfo).port;
  upstream = await startUpstream();
  const ca = readFileSync(certificates.caFile);
  gateway = await startTestGateway(
    {
      services: [{ name: 'users', url: upstream.url }],
      routes: [
        {
          name: 'idp-route',
          service: 'users',
          paths: ['/idp/*'],
          auth: 'jwt',
          jwt: {
            providers: [
              {
                name: 'corp',
                issuer: ISSUER,
                audiences: ['api'],
                jwksUri: `https://127.0.0.1:${idpPort}/.well-known/jwks.json`,
                algorithms: ['RS256', 'EdDSA'],
                claimsToHeaders: [{ claim: 'email', header: 'x-user-email' }],
              },
            ],
          },
        },
        { name: 'hs-route', service: 'users', paths: ['/hs/*'], auth: 'jwt' },
      ],
      consumers: [
        { username: 'corp-alice', jwtProvider: 'corp', jwtSubject: 'alice' },
        { username: 'hs-alice', jwtSubject: 'alice' },
      ],
    },
    { jwt: { sources: new JwksSources({ now: Date.now, ca }) } },
  );
});
after(async () => {
  await gateway.close();
  await upstream.close();
  await new Promise<void>((resolve) => idp.close(() => resolve()));
});

async function call(path: string, token: string | undefined, extra: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, { headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...extra } });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as { headers?: Record<string, string>; error?: { reason?: string } } };
}

test('a token from the https IdP passes with its consumer and claim header; a client-sent copy of the header never passes', async () => {
  for (const key of [rs, ed]) {
    const { status, body } = await call('/idp/x', signToken(key, { iss: ISSUER, aud: 'api', sub: 'alice', email: 'alice@corp.example', exp: exp() }), { 'x-user-email': 'root@evil' });
    assert.equal(status, 200, key.alg);
    assert.equal(body.headers?.['x-consumer-username'], 'corp-alice');
    assert.equal(body.headers?.['x-user-email'], 'alice@corp.example');
  }
  const noEmail = await call('/idp/x', signToken(rs, { iss: ISSUER, aud: 'api', sub: 'nobody', exp: exp() }), { 'x-user-email': 'root@evil' });
  assert.equal(noEmail.status, 200);
  assert.equal(noEmail.body.headers?.['x-user-email'], undefined, 'stripped even when the claim is absent');
  assert.equal(noEmail.body.headers?.['x-consumer-username'], undefined);
  assert.equal(idpHits, 1);
});

test('an HS256 token (even one with the right secret) is refused on a provider route; the HS256 route is as before, with its own consumers', async () => {
  const hs = signHs256({ iss: ISSUER, aud: 'api', sub: 'alice', exp: exp() }, TEST_JWT_SECRET);
  const refused = await call('/idp/x', hs);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error?.reason, 'unsupported_algorithm');
  const hsRoute = await call('/hs/x', hs);
  assert.equal(hsRoute.status, 200);
  assert.equal(hsRoute.body.headers?.['x-consumer-username'], 'hs-alice');
  const idpOnHs = await call('/hs/x', signToken(rs, { iss: ISSUER, aud: 'api', sub: 'alice', exp: exp() }));
  assert.equal(idpOnHs.status, 401, 'an IdP token is not an HS256 token');
});

test('a claim with a control character is a 401, and the IdP key set is fetched once for all of it', async () => {
  const { status, body } = await call('/idp/x', signToken(rs, { iss: ISSUER, aud: 'api', sub: 'x', email: 'a\nb', exp: exp() }));
  assert.equal(status, 401);
  assert.equal(body.error?.reason, 'bad_claim');
  assert.equal(idpHits, 1);
});
