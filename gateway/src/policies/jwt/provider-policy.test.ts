// The provider JWT policy against a local IdP that rotates its keys: every algorithm, algorithm confusion,
// kid injection, rotation, an IdP outage, fetch coalescing and throttling, the verified-token cache, consumers
// scoped to a provider, and claimsToHeaders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createHmac } from 'node:crypto';
import type { ConsumerConfig } from '../../config/index.js';
import { GatewayError } from '../../errors.js';
import { DirectAnswer, type RequestContext } from '../../pipeline/policy.js';
import { requestContext } from '../../testing/request-context.js';
import { makeKey, signToken, startIdp, type TestIdp, type TestKey } from '../../testing/jwt-idp.js';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from './algorithms.js';
import { compileProviders, jwtSourcesOf } from './compile-providers.js';
import { JwksSources, type JwksFailureClass } from './key-source.js';
import { createProviderJwtPolicy } from './provider-policy.js';
import { jwtProviderSchema, type JwtProviderConfig } from './schema.js';

const ISSUER = 'https://idp.example.test/';
const T0 = Date.UTC(2026, 10, 30, 2, 0, 0);

function context(token: string | undefined, headers: Record<string, string> = {}): RequestContext {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  return requestContext({ headers: all as IncomingMessage['headers'], clientIp: '127.0.0.1', routeName: 'route' });
}

interface Harness {
  run(token: string | undefined, headers?: Record<string, string>): Promise<{ ctx: RequestContext; outcome: GatewayError | undefined }>;
  clock: { now: number };
  checks: { count: number };
  failures: JwksFailureClass[];
}

function harness(providers: Partial<JwtProviderConfig>[], consumers: ConsumerConfig[] = [], cacheSize?: number): Harness {
  const clock = { now: T0 };
  const checks = { count: 0 };
  const failures: JwksFailureClass[] = [];
  const now = () => clock.now;
  const sources = new JwksSources({ now, onFailure: (_uri, failure) => failures.push(failure) });
  const configs = providers.map((p) => jwtProviderSchema.parse({ name: 'idp', issuer: ISSUER, algorithms: ['RS256'], ...p }));
  const byProviderSubject = new Map(consumers.map((c) => [`${c.jwtProvider}\u0000${c.jwtSubject}`, c]));
  const policy = createProviderJwtPolicy({
    providers: compileProviders(configs, jwtSourcesOf({ sources }, now)),
    consumersByProviderSubject: byProviderSubject,
    now,
    cacheSize,
    onSignatureCheck: () => checks.count++,
  });
  return {
    clock,
    checks,
    failures,
    async run(token, headers) {
      const ctx = context(token, headers);
      const outcome = await policy(ctx);
      assert.ok(!(outcome instanceof DirectAnswer), 'an auth policy never answers for the upstream');
      return { ctx, outcome };
    },
  };
}

const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: 'user-1', exp: Math.floor(T0 / 1000) + 3600, ...extra });
const reason = (outcome: GatewayError | undefined) => (outcome === undefined ? 'admitted' : (outcome.authReason ?? outcome.code));

async function idpWith(t: { after: (fn: () => Promise<void>) => void }, keys: TestKey[]): Promise<TestIdp> {
  const idp = await startIdp(keys);
  t.after(() => idp.close());
  return idp;
}

test('tokens of every asymmetric algorithm verify with keys from a JWKS URL', async (t) => {
  const keys = ASYMMETRIC_ALGORITHMS.map((alg) => makeKey(alg, `kid-${alg}`));
  const idp = await idpWith(t, keys);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, algorithms: [...ASYMMETRIC_ALGORITHMS] }]);
  for (const key of keys) assert.equal(reason((await h.run(signToken(key, claims()))).outcome), 'admitted', key.alg);
  assert.equal(idp.hits, 1, 'one fetch for all of them');
});

test('inline publicKeys verify without any fetch', async () => {
  const key = makeKey('ES256', 'inline');
  const h = harness([{ publicKeys: [key.jwk as never], algorithms: ['ES256'] }]);
  assert.equal(reason((await h.run(signToken(key, claims()))).outcome), 'admitted');
  const other = makeKey('ES256', 'inline');
  assert.equal(reason((await h.run(signToken(other, claims()))).outcome), 'bad_signature');
});

test('alg none, HS256 signed with the public key, and an algorithm the provider does not list are refused', async (t) => {
  const rsa = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [rsa]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, algorithms: ['RS256'] }]);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const none = `${enc({ alg: 'none', kid: 'k1' })}.${enc(claims())}.`;
  assert.equal(reason((await h.run(none)).outcome), 'malformed_token');
  const noneSigned = `${enc({ alg: 'none', kid: 'k1' })}.${enc(claims())}.AAAA`;
  assert.equal(reason((await h.run(noneSigned)).outcome), 'unsupported_algorithm');
  // The classic confusion: the RSA public key (as PEM or as its JWK text) used as an HMAC secret.
  for (const secret of [(await import('node:crypto')).createPublicKey({ key: rsa.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }), JSON.stringify(rsa.jwk)]) {
    const input = `${enc({ alg: 'HS256', kid: 'k1' })}.${enc(claims())}`;
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    assert.equal(reason((await h.run(forged)).outcome), 'unsupported_algorithm');
  }
  const ps = { ...rsa, alg: 'PS256' as AsymmetricAlgorithm };
  assert.equal(reason((await h.run(signToken(ps, claims()))).outcome), 'unsupported_algorithm', 'PS256 is not in the provider list');
});

test("a key is only used with its own alg, type and curve, whatever the token's header says", async (t) => {
  const rsa = makeKey('RS256', 'rsa');
  const ec = makeKey('ES256', 'ec');
  const idp = await idpWith(t, [rsa, ec]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, algorithms: ['RS256', 'PS256', 'ES256', 'ES384'] }]);
  // The RS256 key, labelled alg RS256 in the JWKS, signing PS256: the key refuses the algorithm.
  assert.equal(reason((await h.run(signToken({ ...rsa, alg: 'PS256' }, claims()))).outcome), 'unknown_key');
  // The P-256 key named for ES384.
  assert.equal(reason((await h.run(signToken({ ...makeKey('ES384', 'ec'), kid: 'ec' }, claims()))).outcome), 'unknown_key');
  assert.equal(reason((await h.run(signToken(ec, claims()))).outcome), 'admitted');
});

test('kid injection: odd, huge or unknown kids never reach more than a map lookup, and refetch at most once per 30 s', async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true }]);
  assert.equal(reason((await h.run(signToken(key, claims()))).outcome), 'admitted');
  assert.equal(idp.hits, 1);
  h.clock.now += 31_000;
  for (const kid of ['../../../../etc/passwd', "' OR 1=1 --", 'k1\u0000', 'http://169.254.169.254/', 'x'.repeat(200)]) {
    assert.equal(reason((await h.run(signToken({ ...key, kid }, claims()))).outcome), 'unknown_key', kid);
  }
  assert.equal(idp.hits, 2, 'one refetch for a burst of unknown kids');
  assert.equal(reason((await h.run(signToken({ ...key, kid: 'x'.repeat(300) }, claims()))).outcome), 'malformed_token');
  assert.equal(reason((await h.run(signToken({ ...key, kid: 7 as never }, claims()))).outcome), 'malformed_token');
  assert.equal(reason((await h.run(signToken(key, claims(), { jku: 'https://evil.example/jwks' }))).outcome), 'unsupported_critical_header');
});

test('the IdP rotates its keys: a new kid is fetched, a removed key stops verifying, cached tokens included', async (t) => {
  const k1 = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [k1]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true }]);
  const old = signToken(k1, claims());
  assert.equal(reason((await h.run(old)).outcome), 'admitted');
  const k2 = makeKey('RS256', 'k2');
  idp.keys = [k2];
  h.clock.now += 31_000;
  assert.equal(reason((await h.run(signToken(k2, claims()))).outcome), 'admitted');
  assert.equal(idp.hits, 2);
  assert.equal(reason((await h.run(old)).outcome), 'unknown_key', 'the cached token is checked again after the key set changed');
});

test('the last good key set serves through an IdP outage for 24 h, then requests get 503 jwks_unavailable', async (t) => {
  const key = makeKey('ES256', 'k1');
  const idp = await idpWith(t, [key]);
  idp.cacheControl = 'max-age=60';
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, algorithms: ['ES256'] }]);
  const token = () => signToken(key, claims({ exp: Math.floor(h.clock.now / 1000) + 600, jti: String(h.clock.now) }));
  assert.equal(reason((await h.run(token())).outcome), 'admitted');
  idp.down = true;
  h.clock.now += 301_000; // past the clamped 5 min freshness: a background refresh fails
  assert.equal(reason((await h.run(token())).outcome), 'admitted');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(h.failures, ['http_status']);
  h.clock.now = T0 + 24 * 3600_000 - 1000;
  assert.equal(reason((await h.run(token())).outcome), 'admitted');
  h.clock.now = T0 + 24 * 3600_000 + 1000;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const late = await h.run(token());
  assert.equal(late.outcome?.status, 503);
  assert.equal(late.outcome?.code, 'jwks_unavailable');
  idp.down = false;
  h.clock.now += 31_000;
  assert.equal(reason((await h.run(token())).outcome), 'admitted', 'keys again once the IdP is back');
});

test('concurrent first requests share one JWKS fetch, and a failed fetch is retried no sooner than 30 s later', async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  idp.down = true;
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true }]);
  const results = await Promise.all(Array.from({ length: 20 }, () => h.run(signToken(key, claims()))));
  assert.ok(results.every((r) => r.outcome?.code === 'jwks_unavailable'));
  assert.equal(idp.hits, 1, 'the compile-time prefetch, joined by every request');
  idp.down = false;
  assert.equal((await h.run(signToken(key, claims()))).outcome?.code, 'jwks_unavailable', 'within 30 s: no new fetch');
  assert.equal(idp.hits, 1);
  h.clock.now += 30_000;
  assert.equal(reason((await h.run(signToken(key, claims()))).outcome), 'admitted');
  assert.equal(idp.hits, 2);
});

test('a verified token is remembered until exp: the signature is checked once, the clock every time', async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true }], [], 2);
  const token = signToken(key, claims({ exp: Math.floor(T0 / 1000) + 60 }));
  for (let i = 0; i < 5; i++) assert.equal(reason((await h.run(token)).outcome), 'admitted');
  assert.equal(h.checks.count, 1);
  h.clock.now += 91_000; // past exp and the 30 s leeway
  assert.equal(reason((await h.run(token)).outcome), 'token_expired');
  // The cache holds at most cacheSize tokens: a third token evicts the oldest.
  h.clock.now = T0;
  const a = signToken(key, claims({ jti: 'a' }));
  const b = signToken(key, claims({ jti: 'b' }));
  const c = signToken(key, claims({ jti: 'c' }));
  for (const x of [a, b, c, c, b]) await h.run(x);
  const before = h.checks.count;
  await h.run(a);
  assert.equal(h.checks.count, before + 1, 'a was evicted');
});

test('claims are checked: exp required, issuer picks the provider, audiences', async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, audiences: ['api'] }]);
  assert.equal(reason((await h.run(signToken(key, claims({ aud: 'api' })))).outcome), 'admitted');
  assert.equal(reason((await h.run(signToken(key, claims({ aud: ['x', 'api'] })))).outcome), 'admitted');
  assert.equal(reason((await h.run(signToken(key, claims({ aud: 'other' })))).outcome), 'wrong_audience');
  assert.equal(reason((await h.run(signToken(key, claims()))).outcome), 'wrong_audience');
  assert.equal(reason((await h.run(signToken(key, claims({ aud: 'api', iss: 'https://evil/' })))).outcome), 'unknown_issuer');
  assert.equal(reason((await h.run(signToken(key, claims({ aud: 'api', exp: undefined })))).outcome), 'missing_exp');
  assert.equal(reason((await h.run(undefined)).outcome), 'missing_token');
  assert.equal(reason((await h.run('a.b')).outcome), 'malformed_token');
});

test("consumers are matched by (jwtProvider, consumerClaim): another provider's or an HS256 consumer never is", async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  const consumers: ConsumerConfig[] = [
    { username: 'mine', apiKeyHashes: [], jwtProvider: 'idp', jwtSubject: 'alice@example.com' },
    { username: 'theirs', apiKeyHashes: [], jwtProvider: 'other', jwtSubject: 'bob' },
  ];
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, consumerClaim: 'email' }], consumers);
  assert.equal((await h.run(signToken(key, claims({ email: 'alice@example.com' })))).ctx.consumer?.username, 'mine');
  assert.equal((await h.run(signToken(key, claims({ email: 'bob' })))).ctx.consumer, undefined);
  assert.equal((await h.run(signToken(key, claims({ sub: 'alice@example.com' })))).ctx.consumer, undefined, 'sub is not the consumer claim');
});

test('claimsToHeaders: headers set from claims, always stripped from the client, control characters refused', async (t) => {
  const key = makeKey('RS256', 'k1');
  const idp = await idpWith(t, [key]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, claimsToHeaders: [{ claim: 'email', header: 'X-Email' }, { claim: 'roles', header: 'x-roles' }] }]);
  const ok = await h.run(signToken(key, claims({ email: 'a@example.com', roles: ['admin'] })), { 'x-email': 'spoofed' });
  assert.equal(ok.outcome, undefined);
  assert.deepEqual(ok.ctx.upstreamHeaders, { 'x-email': 'a@example.com', 'x-roles': '["admin"]' });
  assert.deepEqual(ok.ctx.strippedHeaders, ['x-email', 'x-roles']);
  const absent = await h.run(signToken(key, claims()), { 'x-email': 'spoofed' });
  assert.equal(absent.outcome, undefined);
  assert.equal(absent.ctx.upstreamHeaders, undefined);
  assert.deepEqual(absent.ctx.strippedHeaders, ['x-email', 'x-roles'], 'stripped even when the claim is absent');
  for (const bad of ['a\r\nx-admin: 1', 'a\u0000', 'tab\tok\u007f', '\u2028']) {
    assert.equal(reason((await h.run(signToken(key, claims({ email: bad })))).outcome), 'bad_claim', JSON.stringify(bad));
  }
});

test('oversize, non-canonical and wrongly sized signatures are refused before or at the signature check, and refused tokens are not cached', async (t) => {
  const key = makeKey('ES256', 'k1');
  const idp = await idpWith(t, [key]);
  const h = harness([{ jwksUri: idp.jwksUri, allowHttp: true, algorithms: ['ES256'] }]);
  const good = signToken(key, claims());
  assert.equal(reason((await h.run(signToken(key, claims({ pad: 'x'.repeat(9000) })))).outcome), 'malformed_token');
  assert.equal(reason((await h.run(`${good}=`)).outcome), 'malformed_token');
  const [head, body, signature] = good.split('.') as [string, string, string];
  const der = Buffer.concat([Buffer.from([0x30, 0x44]), Buffer.from(signature, 'base64url')]).toString('base64url');
  assert.equal(reason((await h.run(`${head}.${body}.${der}`)).outcome), 'bad_signature', 'a 66-byte (DER-like) ES256 signature');
  const checks = h.checks.count;
  for (let i = 0; i < 3; i++) assert.equal(reason((await h.run(`${head}.${body}.${der}`)).outcome), 'bad_signature');
  assert.equal(h.checks.count, checks + 3, 'a refused token is checked again every time, never remembered');
});
