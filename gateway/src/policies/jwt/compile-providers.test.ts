// jwt.providers in the config store: a provider route needs no JWT_SECRET, its JWKS source survives config
// versions (a push neither refetches nor forgets keys), and a source no route uses any more is let go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfigStore } from '../../pipeline/config-store.js';
import { createMemoryBackend } from '../rate-limit/memory-backend.js';
import { makeKey, startIdp } from '../../testing/jwt-idp.js';
import { JwksSources } from './key-source.js';

test('a provider route compiles without JWT_SECRET and its key set is fetched once across config versions', async (t) => {
  const idp = await startIdp([makeKey('RS256', 'k1')]);
  t.after(() => idp.close());
  const sources = new JwksSources({ now: Date.now });
  const store = createConfigStore(
    { tenant: 'default', jwtSecret: undefined, rateLimitBackend: createMemoryBackend(), failureMode: 'open', now: Date.now, onRateLimitBackendError: () => undefined, onRateLimited: () => undefined, jwt: { sources } },
    {},
  );
  t.after(() => store.close());
  const config = (path: string, jwksUri = idp.jwksUri) => ({
    services: [{ name: 'up', url: 'http://127.0.0.1:1' }],
    routes: [{ name: 'r', service: 'up', paths: [path], auth: 'jwt', jwt: { providers: [{ name: 'idp', issuer: 'i', jwksUri, allowHttp: true, algorithms: ['RS256'] }] } }],
  });
  const first = await store.apply(config('/a'));
  assert.ok(first.ok, JSON.stringify(first));
  const source = sources.source(idp.jwksUri, true);
  assert.equal(await source.load(Date.now()).then((set) => set?.keys.length), 1);
  assert.ok((await store.apply(config('/b'))).ok);
  assert.equal(sources.source(idp.jwksUri, true), source, 'the same source after a new config version');
  assert.equal(idp.hits, 1);
  assert.ok((await store.apply(config('/c', `${idp.url}/other`))).ok);
  assert.notEqual(sources.source(idp.jwksUri, true), source, 'an unused source is let go');
});
