// The jwt.providers part of the config schema: what it takes, each refusal naming its field, and an old
// config parsing and hashing exactly as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../../config/validate.js';
import { canonicalConfig } from '../../config/hash.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { makeKey } from '../../testing/jwt-idp.js';

const provider = { name: 'idp', issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/.well-known/jwks.json', algorithms: ['RS256'] };
const config = (jwt: unknown, extra: Record<string, unknown> = {}) => ({
  services: [{ name: 's', url: 'http://s:80' }],
  routes: [{ name: 'r', service: 's', paths: ['/'], auth: 'jwt', jwt }],
  ...extra,
});

function problems(input: unknown): { path: string; message: string }[] {
  const result = validateGatewayConfig(input);
  return result.ok ? [] : result.problems;
}
const paths = (input: unknown) => problems(input).map((p) => p.path);

test('a provider with a JWKS URL or inline keys is taken as written, allowHttp false left out', () => {
  const result = validateGatewayConfig(config({ providers: [{ ...provider, allowHttp: false }, { name: 'k', issuer: 'k', publicKeys: [makeKey('ES256', 'a').jwk], algorithms: ['ES256'] }] }));
  assert.ok(result.ok, JSON.stringify(result.ok ? '' : result.problems));
  assert.deepEqual(JSON.parse(JSON.stringify(result.value.routes[0]?.jwt?.providers[0])), provider);
});

test('a config without jwt.providers (HS256 route, consumer with jwtSubject) hashes exactly as with the 523741f schema', async () => {
  const old = { services: [{ name: 's', url: 'http://s:80' }], routes: [{ name: 'r', service: 's', paths: ['/'], auth: 'jwt' }], consumers: [{ username: 'u', jwtSubject: 'x' }] };
  const source = readFileSync(new URL('../../config/testdata/schema-523741f.ts.fixture', import.meta.url), 'utf8').replace("from 'zod'", `from '${import.meta.resolve('zod')}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'novagate-schema-')), 'schema.ts');
  writeFileSync(file, source);
  const fixture = (await import(pathToFileURL(file).href)) as { gatewayConfigSchema: z.ZodType };
  const result = validateGatewayConfig(old);
  assert.ok(result.ok);
  assert.equal(canonicalConfig(result.value).json, canonicalConfig(fixture.gatewayConfigSchema.parse(old)).json);
});

test('bad providers are refused naming the exact field', () => {
  const cases: [unknown, string][] = [
    [{ ...provider, jwksUri: 'http://idp.example.com/jwks' }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, jwksUri: 'https://169.254.169.254/jwks' }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, jwksUri: 'https://[fd00:ec2::254]/jwks' }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, jwksUri: 'https://u:p@idp/jwks' }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, jwksUri: undefined }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, publicKeys: [makeKey('RS256', 'a').jwk] }, 'routes[0].jwt.providers[0].jwksUri'],
    [{ ...provider, algorithms: ['HS256'] }, 'routes[0].jwt.providers[0].algorithms[0]'],
    [{ ...provider, algorithms: ['none'] }, 'routes[0].jwt.providers[0].algorithms[0]'],
    [{ ...provider, algorithms: [] }, 'routes[0].jwt.providers[0].algorithms'],
    [{ ...provider, issuer: 'a\nb' }, 'routes[0].jwt.providers[0].issuer'],
    [{ ...provider, name: 'bad name' }, 'routes[0].jwt.providers[0].name'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'x-forwarded-for' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'X-Consumer-Username' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'host' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'x-novagate-mirror' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'Expect' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'email', header: 'bad header' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[0].header'],
    [{ ...provider, claimsToHeaders: [{ claim: 'a', header: 'x-a' }, { claim: 'b', header: 'X-A' }] }, 'routes[0].jwt.providers[0].claimsToHeaders[1].header'],
    [{ ...provider, secret: 'x' }, 'routes[0].jwt.providers[0].secret'],
  ];
  for (const [bad, path] of cases) assert.deepEqual(paths(config({ providers: [bad] })), [path], JSON.stringify(bad));
});

test('inline keys: private material, a mismatched alg/kty/crv, or an alg the provider does not list are refused', () => {
  const inline = (key: unknown, algorithms = ['RS256']) => config({ providers: [{ name: 'k', issuer: 'k', publicKeys: [key], algorithms }] });
  const rsa = makeKey('RS256', 'a').jwk;
  assert.deepEqual(paths(inline({ ...rsa, d: 'AAAA' })), ['routes[0].jwt.providers[0].publicKeys[0].d']);
  assert.deepEqual(paths(inline({ ...rsa, alg: 'ES256' }, ['RS256', 'ES256'])), ['routes[0].jwt.providers[0].publicKeys[0]']);
  assert.deepEqual(paths(inline({ ...makeKey('ES256', 'e').jwk, crv: 'P-384' }, ['ES256'])), ['routes[0].jwt.providers[0].publicKeys[0]']);
  assert.deepEqual(paths(inline(rsa, ['PS256'])), ['routes[0].jwt.providers[0].publicKeys[0].alg']);
  assert.deepEqual(paths(inline({ kty: 'RSA', n: 'AQAB', e: 'AQAB' })), ['routes[0].jwt.providers[0].publicKeys[0]']);
});

test('provider names and issuers are unique per route, and jwt needs auth jwt', () => {
  assert.deepEqual(paths(config({ providers: [provider, { ...provider, issuer: 'other' }] })), ['routes[0].jwt.providers[1].name']);
  assert.deepEqual(paths(config({ providers: [provider, { ...provider, name: 'b' }] })), ['routes[0].jwt.providers[1].issuer']);
  const input = config({ providers: [provider] });
  (input.routes[0] as Record<string, unknown>).auth = 'key-auth';
  assert.deepEqual(paths(input), ['routes[0].jwt']);
  assert.deepEqual(paths(config({ providers: [] })), ['routes[0].jwt.providers']);
});

test('a JWT subject is unique per jwtProvider, and a jwtProvider needs a jwtSubject', () => {
  const consumers = (list: unknown[]) => config({ providers: [provider] }, { consumers: list });
  assert.deepEqual(
    paths(consumers([{ username: 'a', jwtSubject: 'x' }, { username: 'b', jwtSubject: 'x', jwtProvider: 'idp' }, { username: 'c', jwtSubject: 'x', jwtProvider: 'other' }])),
    [],
  );
  assert.deepEqual(paths(consumers([{ username: 'a', jwtSubject: 'x', jwtProvider: 'idp' }, { username: 'b', jwtSubject: 'x', jwtProvider: 'idp' }])), ['consumers[1].jwtSubject']);
  assert.deepEqual(paths(consumers([{ username: 'a', jwtSubject: 'x' }, { username: 'b', jwtSubject: 'x' }])), ['consumers[1].jwtSubject']);
  assert.deepEqual(paths(consumers([{ username: 'a', jwtProvider: 'idp' }])), ['consumers[0].jwtSubject']);
});
