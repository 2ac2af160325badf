// The CRDs against the gateway's config schema (one schema, many uses): every enum and bound a Route or
// Consumer carries is the one the gateway enforces, so what the API server accepts the operator can program.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AUTH_KINDS, HTTP_METHODS, consumerSchema, routeSchema, serviceSchema } from '@novagate/gateway/config';
import { CRDS_DIR, startHarness, type Harness } from './harness.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  default?: unknown;
}

function specSchema(file: string): JsonSchema {
  const crd = parse(readFileSync(`${CRDS_DIR}${file}`, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } };
  return crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as JsonSchema;
}

const route = specSchema('route.yaml');
const consumer = specSchema('consumer.yaml');
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
  const service = { name: 's', url: 'http://s:1' };
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
