// The CRDs against the gateway's config schema (one schema, many uses): every enum and bound a Route or
// Consumer carries is the one the gateway enforces, so what the API server accepts the operator can program.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  AUTH_KINDS,
  HASH_ON_TYPES,
  HTTP_METHODS,
  LOAD_BALANCING_ALGORITHMS,
  MAX_TARGETS_PER_SERVICE,
  RETRY_CONDITIONS,
  consumerSchema,
  routeSchema,
  serviceSchema,
} from '@novagate/gateway/config';
import { CRDS_DIR, startHarness, type Harness } from './harness.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  maxProperties?: number;
  additionalProperties?: JsonSchema;
  default?: unknown;
  required?: string[];
}

function specSchema(file: string): JsonSchema {
  const crd = parse(readFileSync(`${CRDS_DIR}${file}`, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } };
  return crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as JsonSchema;
}

const route = specSchema('route.yaml');
const consumer = specSchema('consumer.yaml');
const service = { name: 's', url: 'http://s:1' };
const routeBase = { name: 'r', service: 's', paths: ['/'] };
const p = (schema: JsonSchema, ...path: string[]): JsonSchema => path.reduce((s, key) => s.properties?.[key] as JsonSchema, schema);

test('Route and Consumer enums are the gateway\'s methods, auth kinds and rate-limit keys', () => {
  assert.deepEqual(p(route, 'match', 'methods').items?.enum, [...HTTP_METHODS]);
  assert.deepEqual(p(route, 'auth').enum, [...AUTH_KINDS]);
  assert.deepEqual(p(route, 'rateLimit', 'by').enum, routeSchema.shape.rateLimit.unwrap().shape.by.unwrap().options);
});

test('the Route CRD\'s caseInsensitive is the gateway schema\'s boolean, without a default written into objects', () => {
  assert.equal(p(route, 'caseInsensitive').type, 'boolean');
  assert.equal(p(route, 'caseInsensitive').default, undefined);
  const withFlag = (value: unknown) => routeSchema.safeParse({ name: 'r', service: 's', paths: ['/'], caseInsensitive: value });
  assert.ok(withFlag(true).success && withFlag(false).success);
  assert.ok(!withFlag('true').success);
});

test('the Route CRD\'s upstream.http2 is the gateway schema\'s boolean, without a default written into objects', () => {
  assert.equal(p(route, 'upstream', 'http2').type, 'boolean');
  assert.equal(p(route, 'upstream', 'http2').default, undefined);
  const withFlag = (value: unknown) => serviceSchema.safeParse({ name: 's', url: 'http://s:1', http2: value });
  assert.ok(withFlag(true).success && withFlag(false).success);
  assert.ok(!withFlag('true').success);
});

test('every numeric bound and default of the CRDs is the gateway schema\'s own', () => {
  const upstream = p(route, 'upstream');
  for (const field of ['connectTimeoutMs', 'timeoutMs', 'retries'] as const) {
    const bounds = p(upstream, field);
    const { minimum, maximum } = bounds as { minimum: number; maximum: number };
    assert.ok(serviceSchema.safeParse({ ...service, [field]: minimum }).success, `${field} minimum`);
    assert.ok(serviceSchema.safeParse({ ...service, [field]: maximum }).success, `${field} maximum`);
    assert.ok(!serviceSchema.safeParse({ ...service, [field]: minimum - 1 }).success, `${field} below minimum`);
    assert.ok(!serviceSchema.safeParse({ ...service, [field]: maximum + 1 }).success, `${field} above maximum`);
    assert.equal(bounds.default, (serviceSchema.parse(service) as Record<string, unknown>)[field], `${field} default`);
  }
  for (const [schema, limits, parse] of [
    [p(route, 'rateLimit'), 'route', (rl: object) => routeSchema.safeParse({ name: 'r', service: 's', paths: ['/'], rateLimit: rl }).success],
    [p(consumer, 'rateLimit'), 'consumer', (rl: object) => consumerSchema.safeParse({ username: 'u', rateLimit: rl }).success],
  ] as const) {
    for (const field of ['limit', 'windowSeconds'] as const) {
      const { minimum, maximum } = p(schema, field) as { minimum: number; maximum: number };
      const other = field === 'limit' ? { windowSeconds: 1 } : { limit: 1 };
      assert.ok(parse({ ...other, [field]: maximum }), `${limits} ${field} maximum`);
      assert.ok(!parse({ ...other, [field]: maximum + 1 }), `${limits} ${field} above maximum`);
      assert.ok(!parse({ ...other, [field]: minimum - 1 }), `${limits} ${field} below minimum`);
    }
  }
  assert.equal(p(route, 'match', 'paths').maxItems, 64);
  assert.ok(!routeSchema.safeParse({ name: 'r', service: 's', paths: Array.from({ length: 65 }, (_, i) => `/${i}`) }).success);
});

test('the Route CRD\'s upstream pool enums and list bounds are the gateway schema\'s', () => {
  const upstream = p(route, 'upstream');
  assert.deepEqual(p(upstream, 'loadBalancing', 'algorithm').enum, [...LOAD_BALANCING_ALGORITHMS]);
  assert.deepEqual(p(upstream, 'loadBalancing', 'hashOn', 'type').enum, [...HASH_ON_TYPES]);
  assert.equal(p(upstream, 'targets').maxItems, MAX_TARGETS_PER_SERVICE);
  const targets = (count: number) => Array.from({ length: count }, (_, i) => ({ url: `http://t${i}:1` }));
  assert.ok(serviceSchema.safeParse({ name: 's', targets: targets(MAX_TARGETS_PER_SERVICE) }).success);
  assert.ok(!serviceSchema.safeParse({ name: 's', targets: targets(MAX_TARGETS_PER_SERVICE + 1) }).success);
  assert.deepEqual(p(upstream, 'targets').items?.required, ['url']);
  assert.equal(p(upstream, 'loadBalancing', 'hashOn', 'name').maxLength, 256);
  const hashOn = (name: string) => serviceSchema.safeParse({ ...service, loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name } } }).success;
  assert.ok(hashOn('x'.repeat(256)) && !hashOn('x'.repeat(257)));
  assert.equal(p(upstream, 'healthChecks', 'active', 'path').maxLength, 1024);
  assert.equal(p(upstream, 'loadBalancing', 'algorithm').default, serviceSchema.parse({ ...service, loadBalancing: {} }).loadBalancing?.algorithm);
  assert.equal(p(upstream, 'healthChecks', 'active', 'path').default, serviceSchema.parse({ ...service, healthChecks: { active: {} } }).healthChecks?.active?.path);

  const retryOn = p(route, 'retry', 'on');
  assert.deepEqual(retryOn.items?.enum, [...RETRY_CONDITIONS]);
  assert.equal(retryOn.maxItems, RETRY_CONDITIONS.length);
  assert.equal(retryOn.minItems, 1);
  assert.ok(!routeSchema.safeParse({ ...routeBase, retry: { attempts: 1, on: [] } }).success);
  assert.deepEqual(retryOn.default, routeSchema.parse({ ...routeBase, retry: { attempts: 1 } }).retry?.on);
  assert.deepEqual(p(route, 'retry').required, ['attempts']);
  assert.ok(!routeSchema.safeParse({ ...routeBase, retry: {} }).success);

  const listeners = p(route, 'listeners');
  assert.deepEqual([listeners.minItems, listeners.maxItems, listeners.items?.maxLength], [1, 64, 128]);
  const withListeners = (names: string[]) => routeSchema.safeParse({ ...routeBase, listeners: names }).success;
  assert.ok(withListeners(Array.from({ length: 64 }, (_, i) => `l${i}`)) && withListeners(['x'.repeat(128)]));
  assert.ok(!withListeners([]) && !withListeners(Array.from({ length: 65 }, (_, i) => `l${i}`)) && !withListeners(['x'.repeat(129)]));
  assert.equal(p(route, 'upstream', 'tls'), undefined, 'upstream tls names certificates the operator cannot create: not in the CRD');
});

test('every numeric bound and default of the Route CRD\'s pools, health checks, circuit breaker, timeouts and retry is the gateway schema\'s own', () => {
  const upstream = p(route, 'upstream');
  // Each object of the CRD with integer fields: how the gateway parses a value of one field (the others at a
  // base that keeps cross-field rules satisfied), and what it fills in for an absent field.
  const cases: { at: string; node: JsonSchema; accepts: (values: object) => boolean; defaults: () => object }[] = [
    {
      at: 'upstream.targets[]',
      node: p(upstream, 'targets').items as JsonSchema,
      accepts: (target) => serviceSchema.safeParse({ name: 's', targets: [{ url: 'http://a:1', weight: 1 }, { url: 'http://b:1', ...target }] }).success,
      defaults: () => serviceSchema.parse({ name: 's', targets: [{ url: 'http://a:1' }] }).targets?.[0] ?? {},
    },
    {
      at: 'upstream.healthChecks.active',
      node: p(upstream, 'healthChecks', 'active'),
      accepts: (active) => serviceSchema.safeParse({ ...service, healthChecks: { active: { intervalMs: 300_000, timeoutMs: 100, ...active } } }).success,
      defaults: () => serviceSchema.parse({ ...service, healthChecks: { active: {} } }).healthChecks?.active ?? {},
    },
    {
      at: 'upstream.healthChecks.passive',
      node: p(upstream, 'healthChecks', 'passive'),
      accepts: (passive) => serviceSchema.safeParse({ ...service, healthChecks: { passive } }).success,
      defaults: () => serviceSchema.parse({ ...service, healthChecks: { passive: {} } }).healthChecks?.passive ?? {},
    },
    {
      at: 'upstream.circuitBreaker',
      node: p(upstream, 'circuitBreaker'),
      accepts: (circuitBreaker) => serviceSchema.safeParse({ ...service, circuitBreaker }).success,
      defaults: () => serviceSchema.parse({ ...service, circuitBreaker: {} }).circuitBreaker ?? {},
    },
    {
      at: 'timeouts',
      node: p(route, 'timeouts'),
      accepts: (timeouts) => routeSchema.safeParse({ ...routeBase, timeouts }).success,
      defaults: () => routeSchema.parse({ ...routeBase, timeouts: {} }).timeouts ?? {},
    },
    {
      at: 'retry',
      node: p(route, 'retry'),
      accepts: (retry) => routeSchema.safeParse({ ...routeBase, retry: { attempts: 0, ...retry } }).success,
      defaults: () => routeSchema.parse({ ...routeBase, retry: { attempts: 0 } }).retry ?? {},
    },
  ];
  let checked = 0;
  for (const { at, node, accepts, defaults } of cases) {
    for (const [field, bounds] of Object.entries(node.properties ?? {})) {
      if (bounds.type !== 'integer') continue;
      const { minimum, maximum } = bounds;
      assert.ok(minimum !== undefined && maximum !== undefined, `${at}.${field} has both bounds`);
      assert.ok(accepts({ [field]: minimum }), `${at}.${field} minimum ${minimum}`);
      assert.ok(accepts({ [field]: maximum }), `${at}.${field} maximum ${maximum}`);
      assert.ok(!accepts({ [field]: minimum - 1 }), `${at}.${field} below minimum`);
      assert.ok(!accepts({ [field]: maximum + 1 }), `${at}.${field} above maximum`);
      // A required field (retry.attempts) has no default on either side.
      if (!node.required?.includes(field)) assert.equal(bounds.default, (defaults() as Record<string, unknown>)[field], `${at}.${field} default`);
      checked += 1;
    }
  }
  assert.equal(checked, 14, 'weight, 4 active, 3 passive, 2 circuit breaker, 2 timeouts, 2 retry');
});

const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const ecJwk = { kty, crv, x, y };
const withRoute = (extra: object) => routeSchema.safeParse({ ...routeBase, ...extra }).success;
const provider = { name: 'p', issuer: 'https://idp', jwksUri: 'https://idp/keys', algorithms: ['RS256'] };
const withProvider = (extra: object) => withRoute({ auth: 'jwt', jwt: { providers: [{ ...provider, ...extra }] } });
const times = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));
const jwtProviderZod = routeSchema.shape.jwt.unwrap().shape.providers.element;
const jwkZod = jwtProviderZod.shape.publicKeys.unwrap().element;

test('the Route CRD\'s pathMatches, headers, query and jwt.providers enums and defaults are the gateway schema\'s', () => {
  const match = p(route, 'match');
  const typedPath = routeSchema.shape.paths.element.options[1];
  assert.deepEqual(p(p(match, 'pathMatches').items as JsonSchema, 'type').enum, typedPath.shape.type.options);
  assert.deepEqual(p(match, 'pathMatches').items?.required, ['type', 'value']);
  const matchZod = routeSchema.shape.match.unwrap().shape;
  for (const field of ['headers', 'query'] as const) {
    const item = p(match, field).items as JsonSchema;
    assert.deepEqual(p(item, 'type').enum, matchZod[field].unwrap().element.shape.type.unwrap().options, `${field} type enum`);
    assert.equal(p(item, 'type').default, routeSchema.parse({ ...routeBase, match: { [field]: [{ name: 'n', value: 'v' }] } }).match?.[field]?.[0]?.type, `${field} type default`);
    assert.deepEqual(item.required, ['name', 'value']);
  }
  const providerCrd = p(route, 'jwt', 'providers').items as JsonSchema;
  assert.deepEqual(p(providerCrd, 'algorithms').items?.enum, jwtProviderZod.shape.algorithms.element.options);
  assert.deepEqual(providerCrd.required, ['name', 'issuer', 'algorithms']);
  const jwkCrd = p(providerCrd, 'publicKeys').items as JsonSchema;
  assert.deepEqual(Object.keys(jwkCrd.properties ?? {}).sort(), Object.keys(jwkZod.shape).sort(), 'the CRD\'s JWK members are the gateway\'s public members');
  for (const member of ['kty', 'alg', 'use', 'crv'] as const) {
    const zodMember = jwkZod.shape[member];
    const options = 'unwrap' in zodMember ? (zodMember.unwrap() as { options?: readonly string[]; value?: string }) : (zodMember as { options?: readonly string[] });
    assert.deepEqual(p(jwkCrd, member).enum, options.options ?? ['value' in options ? options.value : undefined], `publicKeys[].${member} enum`);
  }
  for (const member of ['kid', 'n', 'e', 'x', 'y'] as const) {
    const zodMember = jwkZod.shape[member].unwrap();
    assert.equal(p(jwkCrd, member).maxLength, zodMember.maxLength, `publicKeys[].${member} maxLength`);
    assert.equal(p(jwkCrd, member).minLength, zodMember.minLength ?? undefined, `publicKeys[].${member} minLength`);
  }
  assert.equal(p(providerCrd, 'allowHttp').default, undefined, 'allowHttp false is left out of the config: no default written into objects');
});

test('every string and list bound of the Route CRD\'s pathMatches, headers, query and jwt.providers and the Consumer\'s jwtProvider is the gateway schema\'s own', () => {
  const match = p(route, 'match');
  const providerCrd = p(route, 'jwt', 'providers').items as JsonSchema;
  const header = p(match, 'headers').items as JsonSchema;
  const query = p(match, 'query').items as JsonSchema;
  const claimToHeader = p(providerCrd, 'claimsToHeaders').items as JsonSchema;
  // Each bounded string: the CRD node, and whether the gateway takes a value of that many characters.
  const strings: [string, JsonSchema, (length: number) => boolean][] = [
    ['match.pathMatches[].value', p(p(match, 'pathMatches').items as JsonSchema, 'value'), (n) => withRoute({ paths: [{ type: 'PathPrefix', value: n === 0 ? '' : `/${'a'.repeat(n - 1)}` }] })],
    ['match.headers[].name', p(header, 'name'), (n) => withRoute({ match: { headers: [{ name: 'x'.repeat(n), value: 'v' }] } })],
    ['match.headers[].value', p(header, 'value'), (n) => withRoute({ match: { headers: [{ name: 'x', value: 'v'.repeat(n) }] } })],
    ['match.query[].name', p(query, 'name'), (n) => withRoute({ match: { query: [{ name: 'q'.repeat(n), value: 'v' }] } })],
    ['match.query[].value', p(query, 'value'), (n) => withRoute({ match: { query: [{ name: 'q', value: 'v'.repeat(n) }] } })],
    ['jwt.providers[].name', p(providerCrd, 'name'), (n) => withProvider({ name: 'p'.repeat(n) })],
    ['jwt.providers[].issuer', p(providerCrd, 'issuer'), (n) => withProvider({ issuer: 'i'.repeat(n) })],
    ['jwt.providers[].audiences[]', p(providerCrd, 'audiences').items as JsonSchema, (n) => withProvider({ audiences: ['a'.repeat(n)] })],
    ['jwt.providers[].consumerClaim', p(providerCrd, 'consumerClaim'), (n) => withProvider({ consumerClaim: 'c'.repeat(n) })],
    ['jwt.providers[].claimsToHeaders[].claim', p(claimToHeader, 'claim'), (n) => withProvider({ claimsToHeaders: [{ claim: 'c'.repeat(n), header: 'x-c' }] })],
    ['jwt.providers[].claimsToHeaders[].header', p(claimToHeader, 'header'), (n) => withProvider({ claimsToHeaders: [{ claim: 'c', header: 'h'.repeat(n) }] })],
    ['Consumer jwtProvider', p(consumer, 'jwtProvider'), (n) => consumerSchema.safeParse({ username: 'u', jwtSubject: 's', jwtProvider: 'p'.repeat(n) }).success],
  ];
  // A URL has no meaningful shortest length: only its longest is checked.
  const jwksUri = p(providerCrd, 'jwksUri');
  assert.ok(withProvider({ jwksUri: `https://idp/${'k'.repeat((jwksUri.maxLength ?? 0) - 'https://idp/'.length)}` }), 'jwksUri maxLength');
  assert.ok(!withProvider({ jwksUri: `https://idp/${'k'.repeat((jwksUri.maxLength ?? 0) + 1 - 'https://idp/'.length)}` }), 'jwksUri above maxLength');
  for (const [at, node, accepts] of strings) {
    const { minLength = 0, maxLength } = node;
    assert.ok(maxLength !== undefined, `${at} has a maxLength`);
    assert.ok(accepts(maxLength), `${at} maxLength ${maxLength}`);
    assert.ok(!accepts(maxLength + 1), `${at} above maxLength`);
    assert.ok(accepts(Math.max(minLength, 1)), `${at} minLength ${minLength}`);
    if (minLength > 0) assert.ok(!accepts(minLength - 1), `${at} below minLength`);
    else assert.ok(accepts(0), `${at} takes the empty string, as the CRD does`);
  }
  // Each bounded list: the CRD node, and whether the gateway takes that many entries.
  const lists: [string, JsonSchema, (count: number) => boolean][] = [
    ['match.pathMatches', p(match, 'pathMatches'), (n) => withRoute({ paths: times(n, (i) => ({ type: 'Exact', value: `/${i}` })) })],
    ['match.headers', p(match, 'headers'), (n) => withRoute({ match: { headers: times(n, (i) => ({ name: `x-${i}`, value: 'v' })) } })],
    ['match.query', p(match, 'query'), (n) => withRoute({ match: { query: times(n, (i) => ({ name: `q${i}`, value: 'v' })) } })],
    ['jwt.providers', p(route, 'jwt', 'providers'), (n) => withRoute({ auth: 'jwt', jwt: { providers: times(n, (i) => ({ ...provider, name: `p${i}`, issuer: `https://idp/${i}` })) } })],
    ['jwt.providers[].audiences', p(providerCrd, 'audiences'), (n) => withProvider({ audiences: times(n, (i) => `a${i}`) })],
    ['jwt.providers[].publicKeys', p(providerCrd, 'publicKeys'), (n) => withProvider({ jwksUri: undefined, algorithms: ['ES256'], publicKeys: times(n, (i) => ({ ...ecJwk, kid: `k${i}` })) })],
    ['jwt.providers[].claimsToHeaders', p(providerCrd, 'claimsToHeaders'), (n) => withProvider({ claimsToHeaders: times(n, (i) => ({ claim: 'sub', header: `x-c${i}` })) })],
  ];
  for (const [at, node, accepts] of lists) {
    const { minItems = 0, maxItems } = node;
    assert.ok(maxItems !== undefined, `${at} has a maxItems`);
    assert.ok(accepts(maxItems), `${at} maxItems ${maxItems}`);
    assert.ok(!accepts(maxItems + 1), `${at} above maxItems`);
    if (minItems > 0) assert.ok(!accepts(minItems - 1), `${at} below minItems`);
    else assert.ok(accepts(0), `${at} takes an empty list, as the CRD does`);
  }
  // algorithms has no duplicates, so its bound is the number of algorithms.
  const algorithms = p(providerCrd, 'algorithms');
  assert.deepEqual([algorithms.minItems, algorithms.maxItems], [1, jwtProviderZod.shape.algorithms.element.options.length]);
  assert.ok(withProvider({ algorithms: [...jwtProviderZod.shape.algorithms.element.options] }) && !withProvider({ algorithms: [] }));
});

test('every bound, enum and default of the Route CRD\'s acl, ipRestriction, cors, header edits, redirect, rewrite and maxBodyBytes, and the Consumer\'s groups and basicAuth, is the gateway schema\'s own', () => {
  const auth = { auth: 'key-auth' };
  const cors = (extra: object) => withRoute({ cors: { allowOrigins: ['*'], ...extra } });
  const origin = (n: number) => `https://${'a'.repeat(Math.max(n - 'https://'.length, 0))}`;
  const basicAuth = (n: number, username = 'u') => times(n, () => ({ username, passwordHash: `$2b$10$${'a'.repeat(53)}` }));
  const withConsumer = (extra: object) => consumerSchema.safeParse({ username: 'u', ...extra }).success;
  const basicAuthCrd = p(consumer, 'basicAuth').items as JsonSchema;
  // Each bounded string: the CRD node, and whether the gateway takes a value of that many characters. A value
  // whose pattern cannot reach the bound (an origin, an IP rule) is checked against the zod string's maxLength.
  const strings: [string, JsonSchema, (length: number) => boolean][] = [
    ['acl.allow[]', p(route, 'acl', 'allow').items as JsonSchema, (n) => withRoute({ ...auth, acl: { allow: ['g'.repeat(n)] } })],
    ['acl.deny[]', p(route, 'acl', 'deny').items as JsonSchema, (n) => withRoute({ ...auth, acl: { deny: ['g'.repeat(n)] } })],
    ['ipRestriction.allow[]', p(route, 'ipRestriction', 'allow').items as JsonSchema, (n) => withRoute({ ipRestriction: { allow: [`fe80::1%${'e'.repeat(n - 8)}`] } })],
    ['ipRestriction.deny[]', p(route, 'ipRestriction', 'deny').items as JsonSchema, (n) => withRoute({ ipRestriction: { deny: [`fe80::1%${'e'.repeat(n - 8)}`] } })],
    ['cors.allowMethods[]', p(route, 'cors', 'allowMethods').items as JsonSchema, (n) => cors({ allowMethods: ['M'.repeat(n)] })],
    ['cors.allowHeaders[]', p(route, 'cors', 'allowHeaders').items as JsonSchema, (n) => cors({ allowHeaders: ['h'.repeat(n)] })],
    ['cors.exposeHeaders[]', p(route, 'cors', 'exposeHeaders').items as JsonSchema, (n) => cors({ exposeHeaders: ['h'.repeat(n)] })],
    ['requestHeaders.set{}', p(route, 'requestHeaders', 'set').additionalProperties as JsonSchema, (n) => withRoute({ requestHeaders: { set: { 'x-a': 'v'.repeat(n) } } })],
    ['responseHeaders.add{}', p(route, 'responseHeaders', 'add').additionalProperties as JsonSchema, (n) => withRoute({ responseHeaders: { add: { 'x-a': 'v'.repeat(n) } } })],
    ['requestHeaders.remove[]', p(route, 'requestHeaders', 'remove').items as JsonSchema, (n) => withRoute({ requestHeaders: { remove: ['h'.repeat(n)] } })],
    ['redirect.path.replaceFullPath', p(route, 'redirect', 'path', 'replaceFullPath'), (n) => withRoute({ redirect: { path: { replaceFullPath: `/${'p'.repeat(n - 1)}` } } })],
    ['rewrite.path.replaceFullPath', p(route, 'rewrite', 'path', 'replaceFullPath'), (n) => withRoute({ rewrite: { path: { replaceFullPath: `/${'p'.repeat(n - 1)}` } } })],
    ['Consumer groups[]', p(consumer, 'groups').items as JsonSchema, (n) => withConsumer({ groups: ['g'.repeat(n)] })],
    ['Consumer basicAuth[].username', p(basicAuthCrd, 'username'), (n) => withConsumer({ basicAuth: basicAuth(1, 'u'.repeat(n)) })],
  ];
  for (const [at, node, accepts] of strings) {
    const { maxLength } = node;
    assert.ok(maxLength !== undefined, `${at} has a maxLength`);
    assert.ok(accepts(maxLength), `${at} maxLength ${maxLength}`);
    assert.ok(!accepts(maxLength + 1), `${at} above maxLength`);
  }
  const originZod = routeSchema.shape.cors.unwrap().shape.allowOrigins.element;
  assert.equal(p(route, 'cors', 'allowOrigins').items?.maxLength, originZod.maxLength, 'cors.allowOrigins[] maxLength is the gateway\'s');
  assert.ok(!cors({ allowOrigins: [origin((originZod.maxLength ?? 0) + 1)] }));
  for (const field of ['hostname'] as const) {
    for (const at of ['redirect', 'rewrite'] as const) {
      const label = 'a'.repeat(63);
      const host = (n: number) => [label, label, label, 'a'.repeat(n - 3 * 64)].join('.');
      assert.equal(p(route, at, field).maxLength, 253);
      assert.ok(withRoute({ [at]: { hostname: host(253) } }) && !withRoute({ [at]: { hostname: host(254) } }), `${at}.hostname 253`);
    }
  }
  // Each bounded list or map: the CRD node, and whether the gateway takes that many entries.
  const lists: [string, JsonSchema, (count: number) => boolean][] = [
    ['acl.allow', p(route, 'acl', 'allow'), (n) => withRoute({ ...auth, acl: { allow: times(n, (i) => `g${i}`) } })],
    ['acl.deny', p(route, 'acl', 'deny'), (n) => withRoute({ ...auth, acl: { deny: times(n, (i) => `g${i}`) } })],
    ['ipRestriction.allow', p(route, 'ipRestriction', 'allow'), (n) => withRoute({ ipRestriction: { allow: times(n, (i) => `10.0.${i >> 8}.${i & 255}`), deny: ['192.0.2.1'] } })],
    ['ipRestriction.deny', p(route, 'ipRestriction', 'deny'), (n) => withRoute({ ipRestriction: { deny: times(n, (i) => `10.0.${i >> 8}.${i & 255}`), allow: ['192.0.2.1'] } })],
    ['cors.allowOrigins', p(route, 'cors', 'allowOrigins'), (n) => withRoute({ cors: { allowOrigins: times(n, (i) => `https://o${i}.example`) } })],
    ['cors.allowMethods', p(route, 'cors', 'allowMethods'), (n) => cors({ allowMethods: times(n, (i) => `M${i}`) })],
    ['cors.allowHeaders', p(route, 'cors', 'allowHeaders'), (n) => cors({ allowHeaders: times(n, (i) => `h${i}`) })],
    ['cors.exposeHeaders', p(route, 'cors', 'exposeHeaders'), (n) => cors({ exposeHeaders: times(n, (i) => `h${i}`) })],
    ['requestHeaders.remove', p(route, 'requestHeaders', 'remove'), (n) => withRoute({ requestHeaders: { remove: times(n, (i) => `x-h${i}`) } })],
    ['responseHeaders.remove', p(route, 'responseHeaders', 'remove'), (n) => withRoute({ responseHeaders: { remove: times(n, (i) => `x-h${i}`) } })],
    ['Consumer groups', p(consumer, 'groups'), (n) => withConsumer({ groups: times(n, (i) => `g${i}`) })],
    ['Consumer basicAuth', p(consumer, 'basicAuth'), (n) => withConsumer({ basicAuth: basicAuth(n) })],
  ];
  for (const [at, node, accepts] of lists) {
    const { minItems = 0, maxItems } = node;
    assert.ok(maxItems !== undefined, `${at} has a maxItems`);
    assert.ok(accepts(maxItems), `${at} maxItems ${maxItems}`);
    assert.ok(!accepts(maxItems + 1), `${at} above maxItems`);
    if (minItems > 0) assert.ok(!accepts(minItems - 1), `${at} below minItems`);
    else assert.ok(accepts(0), `${at} takes an empty list, as the CRD does`);
  }
  for (const edits of ['requestHeaders', 'responseHeaders'] as const) {
    for (const op of ['set', 'add'] as const) {
      const max = p(route, edits, op).maxProperties ?? 0;
      const headers = (n: number) => Object.fromEntries(times(n, (i) => [`x-h${i}`, 'v']));
      assert.ok(withRoute({ [edits]: { [op]: headers(max) } }) && !withRoute({ [edits]: { [op]: headers(max + 1) } }), `${edits}.${op} maxProperties ${max}`);
    }
  }
  // Numbers: each bound taken, one past it refused.
  const numbers: [string, JsonSchema, (value: number) => boolean][] = [
    ['cors.maxAgeSeconds', p(route, 'cors', 'maxAgeSeconds'), (v) => cors({ maxAgeSeconds: v })],
    ['redirect.port', p(route, 'redirect', 'port'), (v) => withRoute({ redirect: { port: v } })],
    ['maxBodyBytes', p(route, 'maxBodyBytes'), (v) => withRoute({ maxBodyBytes: v })],
  ];
  for (const [at, node, accepts] of numbers) {
    const { minimum, maximum } = node as { minimum: number; maximum: number };
    assert.ok(accepts(minimum) && accepts(maximum), `${at} ${minimum}..${maximum}`);
    assert.ok(!accepts(minimum - 1) && !accepts(maximum + 1), `${at} outside ${minimum}..${maximum}`);
  }
  assert.equal(p(route, 'cors', 'maxAgeSeconds').default, routeSchema.parse({ ...routeBase, cors: { allowOrigins: ['*'] } }).cors?.maxAgeSeconds);
  assert.deepEqual(p(route, 'cors').required, ['allowOrigins']);
  const statusCodes = (p(route, 'redirect', 'statusCode').enum ?? []) as unknown as number[];
  assert.deepEqual(statusCodes, times(500, (i) => i + 100).filter((code) => withRoute({ redirect: { statusCode: code } })));
  assert.deepEqual(p(route, 'redirect', 'scheme').enum, ['http', 'https'].filter((scheme) => withRoute({ redirect: { scheme } })));
  assert.ok(!withRoute({ redirect: { scheme: 'ftp' } }));
  for (const flag of ['preserveHost'] as const) {
    assert.equal(p(route, flag).type, 'boolean');
    assert.equal(p(route, flag).default, undefined, `${flag} false is left out of the config: no default written into objects`);
  }
  assert.deepEqual(basicAuthCrd.required, ['username', 'passwordSecretRef']);
  assert.equal(p(basicAuthCrd, 'passwordSecretRef', 'key').default, 'password');
  assert.deepEqual(Object.keys(basicAuthCrd.properties ?? {}).sort(), ['passwordSecretRef', 'username'], 'no passwordHash in the CRD: passwords come only from Secrets');
});

test('the NovaGatePolicy CRD\'s auth, jwt, acl, ipRestriction and rateLimit are exactly the Route CRD\'s (auth without a default, so a policy without it leaves auth to a less specific one)', () => {
  const policy = specSchema('novagatepolicy.yaml');
  assert.deepEqual(Object.keys(policy.properties ?? {}).sort(), ['acl', 'auth', 'ipRestriction', 'jwt', 'rateLimit', 'targetRefs']);
  for (const field of ['jwt', 'acl', 'ipRestriction', 'rateLimit']) assert.deepEqual(p(policy, field), p(route, field), field);
  const { default: routeDefault, ...routeAuth } = p(route, 'auth');
  assert.equal(routeDefault, 'none');
  assert.deepEqual(p(policy, 'auth'), routeAuth);
  const targetRef = p(policy, 'targetRefs').items as JsonSchema;
  assert.deepEqual([p(targetRef, 'group').enum, p(targetRef, 'kind').enum], [['gateway.networking.k8s.io'], ['HTTPRoute', 'Gateway']]);
  assert.deepEqual([p(policy, 'targetRefs').minItems, p(policy, 'targetRefs').maxItems], [1, 16]);
});

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

test('kubectl lists all three kinds under the novagate category and by short name, with their printer columns', async () => {
  await h.kubectlOk(['apply', '-f', `${CRDS_DIR}examples/`]);
  const all = await h.kubectlOk(['get', 'novagate']);
  assert.match(all, /tenant\.novagate\.dev\/acme/);
  assert.match(all, /route\.novagate\.dev\/users/);
  assert.match(all, /consumer\.novagate\.dev\/mobile-app/);
  assert.match((await h.kubectlOk(['get', 'ngt'])).split('\n')[0] ?? '', /^NAME\s+PLAN\s+READY\s+AGE/);
  assert.match((await h.kubectlOk(['get', 'ngr'])).split('\n')[0] ?? '', /^NAME\s+TENANT\s+PATHS\s+ACCEPTED\s+PROGRAMMED\s+AGE/);
  assert.match((await h.kubectlOk(['get', 'ngc'])).split('\n')[0] ?? '', /^NAME\s+TENANT\s+USERNAME\s+ACCEPTED\s+PROGRAMMED\s+AGE/);
});

test('the schema fills defaults and refuses unknown fields, bad enums and cross-field mistakes with the field named', async () => {
  const tenant = (await h.object<{ spec: { deletionPolicy: string } }>('tenants', 'acme'));
  assert.equal(tenant?.spec.deletionPolicy, 'Retain');
  const users = (await h.object<{ spec: { upstream: { connectTimeoutMs: number; retries: number }; stripPrefix: boolean } }>('routes', 'users'));
  assert.deepEqual([users?.spec.upstream.connectTimeoutMs, users?.spec.upstream.retries, users?.spec.stripPrefix], [2000, 1, false]);
  const base = (spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: bad, namespace: default}
spec:
  tenantRef: {name: acme}
${spec}`;
  const cases: [string, RegExp][] = [
    [base('  upstream: {url: "http://a:1"}\n  match: {paths: ["/a"]}\n  colour: blue\n'), /unknown field "spec\.colour"/],
    [base('  upstream: {url: "http://a:1"}\n  match: {paths: ["/a"], methods: [FETCH]}\n'), /spec\.match\.methods\[0\]/],
    [base('  upstream: {url: "http://a:1", connectTimeoutMs: 5000, timeoutMs: 1000}\n  match: {paths: ["/a"]}\n'), /spec\.upstream\.connectTimeoutMs.*connectTimeoutMs must not be greater than timeoutMs/],
    [base('  upstream: {url: "http://a:1"}\n  match: {paths: []}\n'), /spec\.match\.paths/],
  ];
  for (const [yaml, message] of cases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], yaml);
    assert.notEqual(result.code, 0, yaml);
    assert.match(result.stderr, message);
  }
  const moved = await h.kubectl.run(['patch', 'route', 'users', '--type', 'merge', '-p', '{"spec":{"tenantRef":{"name":"other"}}}']);
  assert.notEqual(moved.code, 0);
  assert.match(moved.stderr, /tenantRef is immutable/);
});

test('a Route with targets, loadBalancing, healthChecks, timeouts, retry and listeners applies with the gateway defaults filled in', async () => {
  await h.kubectlOk(['apply', '-f', '-'], `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: pooled, namespace: default}
spec:
  tenantRef: {name: acme}
  upstream:
    targets: [{url: "http://10.0.0.1:8080", weight: 3}, {url: "http://10.0.0.2:8080"}]
    loadBalancing: {algorithm: consistent-hash, hashOn: {type: header, name: x-user}}
    healthChecks: {active: {path: /healthz}, passive: {}}
    circuitBreaker: {maxConnections: 100}
  match: {paths: ["/pooled"]}
  timeouts: {requestMs: 15000, backendRequestMs: 5000}
  retry: {attempts: 2, "on": [connect-failure, reset, "503"]}
  listeners: [web]
`);
  type Pooled = { spec: { upstream: Record<string, unknown>; retry: unknown } };
  const pooled = await h.object<Pooled>('routes', 'pooled');
  assert.deepEqual(pooled?.spec.upstream.targets, [{ url: 'http://10.0.0.1:8080', weight: 3 }, { url: 'http://10.0.0.2:8080', weight: 1 }]);
  assert.deepEqual(pooled?.spec.upstream.healthChecks, {
    active: { path: '/healthz', intervalMs: 5000, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 3 },
    passive: { consecutiveFailures: 5, ejectionMs: 30000, maxEjectionPercent: 50 },
  });
  assert.deepEqual(pooled?.spec.upstream.circuitBreaker, { maxConnections: 100, maxPendingRequests: 1024 });
  assert.equal(pooled?.spec.upstream.url, undefined);
  assert.deepEqual(pooled?.spec.retry, { attempts: 2, on: ['connect-failure', 'reset', '503'], backoffMs: 25 });
  await h.kubectlOk(['delete', 'route', 'pooled', '--wait=false']);
});

test('the API server refuses a Route upstream with both url and targets, or neither, and the pool and retry mistakes it can see, in words', async () => {
  const bad = (spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: bad-pool, namespace: default}
spec:
  tenantRef: {name: acme}
  match: {paths: ["/a"]}
${spec}`;
  const cases: [string, RegExp][] = [
    ['  upstream: {url: "http://a:1", targets: [{url: "http://b:1"}]}\n', /spec\.upstream: Invalid value: "object": upstream needs exactly one of url and targets/],
    ['  upstream: {timeoutMs: 1000}\n', /upstream needs exactly one of url and targets/],
    ['  upstream: {targets: [{url: "http://a:1", weight: 0}, {url: "http://b:1", weight: 0}]}\n', /spec\.upstream\.targets.*at least one target needs a weight above 0/],
    ['  upstream: {targets: [{url: "ftp://a:1"}]}\n', /spec\.upstream\.targets\[0\]\.url/],
    ['  upstream: {url: "http://a:1", loadBalancing: {algorithm: random}}\n', /spec\.upstream\.loadBalancing\.algorithm/],
    ['  upstream: {url: "http://a:1", loadBalancing: {algorithm: consistent-hash}}\n', /spec\.upstream\.loadBalancing\.hashOn.*hashOn is needed for algorithm consistent-hash/],
    ['  upstream: {url: "http://a:1", loadBalancing: {algorithm: consistent-hash, hashOn: {type: header}}}\n', /spec\.upstream\.loadBalancing\.hashOn\.name.*hashOn\.name is needed for type header or cookie/],
    ['  upstream: {url: "http://a:1", healthChecks: {}}\n', /spec\.upstream\.healthChecks.*healthChecks needs active, passive or both/],
    ['  upstream: {url: "http://a:1", healthChecks: {active: {intervalMs: 1000, timeoutMs: 1000}}}\n', /spec\.upstream\.healthChecks\.active\.timeoutMs.*timeoutMs must be less than intervalMs/],
    ['  upstream: {url: "http://a:1"}\n  timeouts: {requestMs: 1000, backendRequestMs: 2000}\n', /spec\.timeouts\.backendRequestMs.*backendRequestMs must not exceed requestMs/],
    ['  upstream: {url: "http://a:1"}\n  retry: {attempts: 11}\n', /spec\.retry\.attempts/],
    ['  upstream: {url: "http://a:1"}\n  retry: {attempts: 1, "on": [timeout]}\n', /spec\.retry\.on\[0\]/],
    // kubectl reads YAML 1.1, where a bare `on` key is the boolean true: README and the field's description say to quote it.
    ['  upstream: {url: "http://a:1"}\n  retry: {attempts: 1, on: [reset]}\n', /unknown field "spec\.retry\.true"/],
    ['  upstream: {url: "http://a:1"}\n  listeners: []\n', /spec\.listeners/],
  ];
  for (const [spec, message] of cases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], bad(spec));
    assert.notEqual(result.code, 0, spec);
    assert.match(result.stderr, message, spec);
  }
});

test('a Route with pathMatches, header and query matches and jwt.providers, and a Consumer with jwtProvider, apply with the gateway defaults filled in', async () => {
  await h.kubectlOk(['apply', '-f', '-'], `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: matched, namespace: default}
spec:
  tenantRef: {name: acme}
  upstream: {url: "http://a:1"}
  match:
    pathMatches: [{type: Exact, value: /v1/items}, {type: RegularExpression, value: "/v[0-9]+/items/.*"}]
    headers: [{name: X-Env, value: canary}]
    query: [{name: debug, value: "1|true", type: RegularExpression}]
  auth: jwt
  jwt:
    providers:
      - name: okta
        issuer: https://acme.okta.com
        jwksUri: https://acme.okta.com/v1/keys
        audiences: [api]
        algorithms: [RS256, PS256]
        claimsToHeaders: [{claim: email, header: X-User-Email}]
      - name: local
        issuer: https://local.example
        publicKeys: [${JSON.stringify({ ...ecJwk, kid: 'k1', alg: 'ES256', use: 'sig' })}]
        algorithms: [ES256]
        consumerClaim: client_id
---
apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: okta-client, namespace: default}
spec:
  tenantRef: {name: acme}
  username: okta-client
  jwtSubject: client-7
  jwtProvider: okta
`);
  type Matched = { spec: { match: Record<string, unknown>; jwt: { providers: Record<string, unknown>[] } } };
  const matched = await h.object<Matched>('routes', 'matched');
  assert.deepEqual(matched?.spec.match.headers, [{ name: 'X-Env', value: 'canary', type: 'Exact' }]);
  assert.deepEqual(matched?.spec.match.query, [{ name: 'debug', value: '1|true', type: 'RegularExpression' }]);
  assert.equal(matched?.spec.match.paths, undefined);
  assert.deepEqual(matched?.spec.jwt.providers[1]?.publicKeys, [{ ...ecJwk, kid: 'k1', alg: 'ES256', use: 'sig' }]);
  assert.equal(matched?.spec.jwt.providers[0]?.allowHttp, undefined);
  const client = await h.object<{ spec: { jwtProvider?: string } }>('consumers', 'okta-client');
  assert.equal(client?.spec.jwtProvider, 'okta');
  await h.kubectlOk(['delete', 'route', 'matched', '--wait=false']);
  await h.kubectlOk(['delete', 'consumer', 'okta-client', '--wait=false']);
});

test('the API server refuses the match and jwt mistakes it can see, naming the field', async () => {
  const bad = (spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: bad-match, namespace: default}
spec:
  tenantRef: {name: acme}
  upstream: {url: "http://a:1"}
${spec}`;
  const okta = 'name: okta, issuer: "https://idp", algorithms: [RS256]';
  const cases: [string, RegExp][] = [
    ['  match: {methods: [GET]}\n', /spec\.match.*match needs paths, pathMatches or both/],
    [`  match: {paths: [${times(40, (i) => `"/s${i}"`).join(', ')}], pathMatches: [${times(30, (i) => `{type: Exact, value: "/t${i}"}`).join(', ')}]}\n`, /paths and pathMatches together hold at most 64 entries/],
    ['  match: {pathMatches: [{type: Glob, value: "/a"}]}\n', /spec\.match\.pathMatches\[0\]\.type/],
    ['  match: {pathMatches: [{type: Exact}]}\n', /spec\.match\.pathMatches\[0\]\.value: Required value/],
    ['  match: {paths: ["/a"], headers: [{name: x-a, value: a}, {name: x-a, value: b}]}\n', /spec\.match\.headers\[1\]: Duplicate value/],
    ['  match: {paths: ["/a"], headers: [{name: "bad name", value: a}]}\n', /spec\.match\.headers\[0\]\.name/],
    ['  match: {paths: ["/a"], query: [{name: q, value: a, type: Prefix}]}\n', /spec\.match\.query\[0\]\.type/],
    [`  match: {paths: ["/a"]}\n  jwt: {providers: [{${okta}, jwksUri: "https://idp/keys"}]}\n`, /spec\.jwt.*jwt\.providers needs auth jwt/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}}]}\n`, /spec\.jwt\.providers\[0\].*a provider needs exactly one of jwksUri and publicKeys/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}, jwksUri: "http://idp/keys"}]}\n`, /spec\.jwt\.providers\[0\]\.jwksUri.*jwksUri must use https/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}, jwksUri: "https://idp/keys", algorithms: [HS256]}]}\n`, /spec\.jwt\.providers\[0\]\.algorithms\[0\]/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}, publicKeys: [{kty: RSA, n: AQAB, e: AQAB, d: secret}]}]}\n`, /unknown field "spec\.jwt\.providers\[0\]\.publicKeys\[0\]\.d"/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}, jwksUri: "https://idp/keys"}, {name: other, issuer: "https://idp", jwksUri: "https://idp/keys", algorithms: [RS256]}]}\n`, /spec\.jwt\.providers.*two providers have the same issuer/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: [{${okta}, jwksUri: "https://idp/keys"}, {${okta.replace('https://idp', 'https://other')}, jwksUri: "https://idp/keys"}]}\n`, /spec\.jwt\.providers\[1\]: Duplicate value/],
    [`  match: {paths: ["/a"]}\n  auth: jwt\n  jwt: {providers: []}\n`, /spec\.jwt\.providers/],
  ];
  for (const [spec, message] of cases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], bad(spec));
    assert.notEqual(result.code, 0, spec);
    assert.match(result.stderr, message, spec);
  }
  const consumerWithoutSubject = await h.kubectl.run(['apply', '-f', '-'], `apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: bad-provider, namespace: default}
spec:
  tenantRef: {name: acme}
  username: u
  apiKeySecretRef: {name: k}
  jwtProvider: okta
`);
  assert.notEqual(consumerWithoutSubject.code, 0);
  assert.match(consumerWithoutSubject.stderr, /spec\.jwtProvider.*a Consumer with jwtProvider needs a jwtSubject/);
});

test('a Route with acl, ipRestriction, cors, header edits, rewrite and maxBodyBytes, a redirect Route without upstream, and a Consumer with groups and basicAuth apply with the defaults filled in', async () => {
  await h.kubectlOk(['apply', '-f', '-'], `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: policies, namespace: default}
spec:
  tenantRef: {name: acme}
  upstream: {url: "http://a:1"}
  match: {paths: ["/p/*"]}
  auth: basic-auth
  acl: {allow: [partners]}
  ipRestriction: {allow: [10.0.0.0/8, "2001:db8::/32"], deny: [10.9.0.0/16]}
  cors: {allowOrigins: ["https://app.example.com"], allowCredentials: true, exposeHeaders: [X-Total]}
  requestHeaders: {set: {X-Env: prod}, add: {X-Trace: "on"}, remove: [Cookie]}
  responseHeaders: {remove: [Server]}
  rewrite: {hostname: users.internal, path: {replacePrefixMatch: /v2/}}
  preserveHost: false
  maxBodyBytes: 1048576
---
apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: moved, namespace: default}
spec:
  tenantRef: {name: acme}
  match: {paths: ["/old/*"]}
  redirect: {scheme: https, hostname: new.example.com, statusCode: 301, path: {replacePrefixMatch: /new/}}
---
apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: partner, namespace: default}
spec:
  tenantRef: {name: acme}
  username: partner
  groups: [partners, beta]
  basicAuth:
    - {username: partner, passwordSecretRef: {name: partner-password}}
    - {username: partner, passwordSecretRef: {name: partner-rotation, key: next}}
`);
  type Policies = { spec: { cors: { maxAgeSeconds: number }; requestHeaders: { set: Record<string, string> }; upstream?: unknown; redirect?: { statusCode: number } } };
  const policies = await h.object<Policies>('routes', 'policies');
  assert.equal(policies?.spec.cors.maxAgeSeconds, 5);
  assert.deepEqual(policies?.spec.requestHeaders.set, { 'X-Env': 'prod' });
  const moved = await h.object<Policies>('routes', 'moved');
  assert.equal(moved?.spec.upstream, undefined);
  assert.equal(moved?.spec.redirect?.statusCode, 301);
  const partner = await h.object<{ spec: { groups: string[]; basicAuth: { passwordSecretRef: { key: string } }[] } }>('consumers', 'partner');
  assert.deepEqual(partner?.spec.groups, ['partners', 'beta']);
  assert.deepEqual(partner?.spec.basicAuth.map((entry) => entry.passwordSecretRef.key), ['password', 'next']);
  for (const [kind, name] of [['route', 'policies'], ['route', 'moved'], ['consumer', 'partner']]) await h.kubectlOk(['delete', kind as string, name as string, '--wait=false']);
});

test('the API server refuses the policy mistakes it can see, naming the field: upstream and redirect together or neither, acl without auth, redirect with rewrite', async () => {
  const bad = (spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: bad-policy, namespace: default}
spec:
  tenantRef: {name: acme}
  match: {paths: ["/a/*"]}
${spec}`;
  const up = '  upstream: {url: "http://a:1"}\n';
  const cases: [string, RegExp][] = [
    ['  redirect: {scheme: https}\n' + up, /a Route needs exactly one of upstream and redirect/],
    ['  auth: none\n', /a Route needs exactly one of upstream and redirect/],
    [up + '  acl: {allow: [g]}\n', /spec\.acl.*acl needs an auth that identifies consumers/],
    [up + '  auth: jwt\n  acl: {allow: [g], deny: [h]}\n', /spec\.acl.*acl needs exactly one of allow and deny/],
    [up + '  auth: jwt\n  acl: {allow: []}\n', /spec\.acl\.allow/],
    ['  redirect: {scheme: https}\n  rewrite: {hostname: a.example}\n', /spec\.rewrite.*a Route cannot both redirect and rewrite/],
    ['  redirect: {statusCode: 305}\n', /spec\.redirect\.statusCode/],
    ['  redirect: {path: {replaceFullPath: /a, replacePrefixMatch: /b}}\n', /spec\.redirect\.path.*path needs exactly one of replaceFullPath and replacePrefixMatch/],
    ['  redirect: {path: {replaceFullPath: a}}\n', /spec\.redirect\.path\.replaceFullPath/],
    [up + '  rewrite: {}\n', /spec\.rewrite.*rewrite needs hostname, path or both/],
    [up + '  ipRestriction: {allow: []}\n', /spec\.ipRestriction.*ipRestriction needs at least one address in allow or deny/],
    [up + '  cors: {allowOrigins: ["*"], allowCredentials: true, exposeHeaders: ["*"]}\n', /spec\.cors\.exposeHeaders.*cannot be used with allowCredentials/],
    [up + '  cors: {allowMethods: [GET]}\n', /spec\.cors\.allowOrigins: Required value/],
    [up + `  requestHeaders: {set: {${times(65, (i) => `x-h${i}: v`).join(', ')}}}\n`, /spec\.requestHeaders\.set/],
    [up + '  requestHeaders: {remove: ["bad name"]}\n', /spec\.requestHeaders\.remove\[0\]/],
    [up + '  maxBodyBytes: 1073741825\n', /spec\.maxBodyBytes/],
  ];
  for (const [spec, message] of cases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], bad(spec));
    assert.notEqual(result.code, 0, spec);
    assert.match(result.stderr, message, spec);
  }
  const consumer = (spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Consumer
metadata: {name: bad-basic, namespace: default}
spec:
  tenantRef: {name: acme}
  username: u
${spec}`;
  const consumerCases: [string, RegExp][] = [
    ['  groups: [partners]\n', /a Consumer needs a credential: set apiKeySecretRef, jwtSubject, basicAuth, or several/],
    ['  basicAuth: [{username: "a:b", passwordSecretRef: {name: pw}}]\n', /spec\.basicAuth\[0\]\.username/],
    ['  basicAuth: [{username: a}]\n', /spec\.basicAuth\[0\]\.passwordSecretRef: Required value/],
    ['  basicAuth: [{username: a, passwordHash: "$2b$10$x", passwordSecretRef: {name: pw}}]\n', /unknown field "spec\.basicAuth\[0\]\.passwordHash"/],
    [`  basicAuth: [${times(5, () => '{username: a, passwordSecretRef: {name: pw}}').join(', ')}]\n`, /spec\.basicAuth: Too many/],
    ['  jwtSubject: s\n  groups: ["-bad"]\n', /spec\.groups\[0\]/],
  ];
  for (const [spec, message] of consumerCases) {
    const result = await h.kubectl.run(['apply', '-f', '-'], consumer(spec));
    assert.notEqual(result.code, 0, spec);
    assert.match(result.stderr, message, spec);
  }
});
