import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { canonicalConfig } from './hash.js';
import { validateGatewayConfig } from './validate.js';
import { makeNamedCertificates } from '../testing/tls-certificates.js';

const certs = makeNamedCertificates({ one: ['a.example.com'], two: ['b.example.com'] });
const one = certs.certificates.one as { cert: string; key: string };
const two = certs.certificates.two as { cert: string; key: string };

/** A config of the kind every tenant had before listeners: it must hash and snapshot exactly as before. */
const EXISTING = {
  services: [{ name: 'users', url: 'http://users:8080', timeoutMs: 5000 }],
  routes: [
    { name: 'get-user', service: 'users', paths: ['/users/:id', '/v1/*'], methods: ['GET'], hosts: ['api.example.com'], auth: 'jwt', rateLimit: { limit: 100, windowSeconds: 60 } },
    { name: 'open', service: 'users', paths: ['/'] },
  ],
  consumers: [{ username: 'mobile-app', apiKeyHashes: ['a'.repeat(64)], jwtSubject: 'mobile-app', rateLimit: { limit: 1000, windowSeconds: 60 } }],
};
/** canonicalConfig of EXISTING as the gateway before issue 15 (schema 523741f) produced it. */
const EXISTING_HASH = '896e6f6de54153604fcaa0efd518a3a7d3ff5ecf9242ee0c0f572e2204b0377d';

async function schemaAt523741f(): Promise<z.ZodType> {
  // The schema of commit 523741f, kept as a fixture; its `zod` import points at this workspace's zod.
  const source = readFileSync(new URL('./testdata/schema-523741f.ts.fixture', import.meta.url), 'utf8').replace(
    "from 'zod'",
    `from '${import.meta.resolve('zod')}'`,
  );
  const file = join(mkdtempSync(join(tmpdir(), 'novagate-schema-')), 'schema.ts');
  writeFileSync(file, source);
  const module = (await import(pathToFileURL(file).href)) as { gatewayConfigSchema: z.ZodType };
  return module.gatewayConfigSchema;
}

test('a config without the new fields validates, serialises and hashes exactly as with the 523741f schema', async () => {
  const old = await schemaAt523741f();
  const before = canonicalConfig(old.parse(EXISTING));
  const validated = validateGatewayConfig(EXISTING);
  assert.ok(validated.ok);
  const now = canonicalConfig(validated.value);
  assert.equal(now.json, before.json);
  assert.equal(now.hash, before.hash);
  assert.equal(now.hash, EXISTING_HASH);
  assert.ok(!now.json.includes('listeners') && !now.json.includes('certificates'), 'absent fields stay absent');
  // The snapshot the new gateway would write is one the previous release accepts.
  assert.equal(old.safeParse(JSON.parse(now.json)).success, true);
  // http2: false is a default: left out, so saying it changes nothing.
  const withDefaults = validateGatewayConfig({ ...EXISTING, listeners: [{ name: 'h', port: 80, protocol: 'HTTP', http2: false }] });
  assert.ok(withDefaults.ok && withDefaults.value.listeners?.[0]?.http2 === undefined);
});

const listenerConfig = (listeners: unknown[], extra: Record<string, unknown> = {}) => ({
  services: [{ name: 'up', url: 'http://up:80' }],
  routes: [{ name: 'r', service: 'up', paths: ['/'] }],
  listeners,
  ...extra,
});

function problemsOf(input: unknown): { path: string; message: string }[] {
  const result = validateGatewayConfig(input);
  return result.ok ? [] : result.problems;
}

test('listener rules: unique names, one protocol per port, HTTPS needs tls, wildcard only leading, routes name existing listeners', () => {
  const cases: [unknown, string, RegExp][] = [
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'a', port: 81, protocol: 'HTTP' }]), 'listeners[1].name', /already used/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'b', port: 80, protocol: 'HTTPS', hostname: 'x.test', tls: { certificates: ['c'] } }]), 'listeners[1].protocol', /one protocol per port/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'b', port: 80, protocol: 'HTTP', http2: true, hostname: 'x.test' }]), 'listeners[1].http2', /agree on http2/],
    [listenerConfig([{ name: 'a', port: 443, protocol: 'HTTPS' }]), 'listeners[0].tls', /needs tls.certificates/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP', tls: { certificates: ['c'] } }]), 'listeners[0].tls', /only an HTTPS listener/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP', hostname: 'api.*.example.com' }]), 'listeners[0].hostname', /only as the first label/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP', hostname: '*' }]), 'listeners[0].hostname', /hostname/],
    [listenerConfig([{ name: 'a', port: 70000, protocol: 'HTTP' }]), 'listeners[0].port', /./],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'TCP' }]), 'listeners[0].protocol', /./],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP', gateway: 'no-slash' }]), 'listeners[0].gateway', /namespace/],
    [listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'b', port: 80, protocol: 'HTTP' }]), 'listeners[1].hostname', /already serves this hostname/],
    [
      listenerConfig([{ name: 'a', port: 80, protocol: 'HTTP' }], { routes: [{ name: 'r', service: 'up', paths: ['/'], listeners: ['nope'] }] }),
      'routes[0].listeners[0]',
      /listener 'nope' is not defined/,
    ],
  ];
  for (const [input, path, message] of cases) {
    const problems = problemsOf(input);
    assert.ok(
      problems.some((problem) => problem.path === path && message.test(problem.message)),
      `${path} ${String(message)} in ${JSON.stringify(problems)}`,
    );
  }
  assert.deepEqual(
    problemsOf(
      listenerConfig(
        [
          { name: 'web', port: 443, bindPort: 10443, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificates: ['one'] } },
          { name: 'api', port: 443, bindPort: 10443, protocol: 'HTTPS', hostname: 'api.example.com', tls: { certificates: ['two'] } },
          { name: 'grpc-plain', port: 8081, protocol: 'HTTP', http2: true },
          { name: 'gw-http', port: 80, protocol: 'HTTP', gateway: 'infra/same-namespace' },
        ],
        { certificates: [{ name: 'one', ...one }, { name: 'two', ...two }], routes: [{ name: 'r', service: 'up', paths: ['/'], listeners: ['web', 'api'] }] },
      ),
    ),
    [],
  );
});

test('a malformed PEM or a key of another certificate is refused naming the field, never echoing PEM text', () => {
  const cases: [Record<string, string>, string][] = [
    [{ cert: 'not a certificate', key: one.key }, 'certificates[0].cert'],
    [{ cert: `${one.cert.slice(0, one.cert.indexOf('\n') + 1 + 64)}\n-----END CERTIFICATE-----\n`, key: one.key }, 'certificates[0].cert'],
    [{ cert: one.cert, key: 'garbage' }, 'certificates[0].key'],
    [{ cert: one.cert, key: one.key.replace('KEY-----', 'KEY-----\nAAAA') }, 'certificates[0].key'],
    [{ cert: one.cert, key: two.key }, 'certificates[0].key'],
    [{ cert: one.cert, key: one.cert }, 'certificates[0].key'],
  ];
  for (const [pair, path] of cases) {
    const problems = problemsOf(listenerConfig([{ name: 'a', port: 443, protocol: 'HTTPS', tls: { certificates: ['c'] } }], { certificates: [{ name: 'c', ...pair }] }));
    assert.deepEqual(problems.map((problem) => problem.path), [path], JSON.stringify(problems));
    const text = JSON.stringify(problems);
    assert.ok(!text.includes('BEGIN') && !text.includes('MII'), `no PEM text in ${text}`);
  }
  const huge = problemsOf(listenerConfig([], { certificates: [{ name: 'c', cert: `${one.cert}${'A'.repeat(70_000)}`, key: one.key }] }));
  assert.deepEqual(huge.map((problem) => problem.path), ['certificates[0].cert']);
  assert.ok(!JSON.stringify(huge).includes('AAAA'));
});

test('the port rules hold per gateway owner: two Gateways may both serve port 80 for any host, one Gateway may not twice', () => {
  const twoGateways = listenerConfig([
    { name: 'a', port: 80, bindPort: 10080, protocol: 'HTTP', gateway: 'web/one' },
    { name: 'b', port: 80, protocol: 'HTTPS', tls: { certificates: ['c'] }, gateway: 'web/two' },
    { name: 'c', port: 80, protocol: 'HTTP' },
  ]);
  assert.deepEqual(problemsOf(twoGateways).filter((problem) => problem.path.startsWith('listeners')), []);
  const oneGatewayTwice = listenerConfig([
    { name: 'a', port: 80, protocol: 'HTTP', gateway: 'web/one' },
    { name: 'b', port: 80, protocol: 'HTTP', gateway: 'web/one' },
  ]);
  assert.ok(problemsOf(oneGatewayTwice).some((problem) => problem.path === 'listeners[1].hostname' && /already serves this hostname/.test(problem.message)));
});
