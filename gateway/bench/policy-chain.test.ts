// The policy section's config and arithmetic, without running the benchmark: the config it builds is one the
// gateway accepts, each variant leaves out what its name says, and each policy's cost is the right difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../src/config/index.js';
import { buildPolicyBench, CHAIN_ROW, DISTINCT_TOKENS, DISTINCT_TOKENS_ROW, makeBenchKey, policyCosts, UNCACHED_TOKENS, UNCACHED_TOKENS_ROW } from './policy-chain.js';
import { VERIFIED_TOKEN_CACHE_SIZE } from '../src/policies/jwt/provider-policy.js';

const bench = await buildPolicyBench(9, 'http://127.0.0.1:9/jwks', makeBenchKey());

test('the gateway accepts the policy config: every route, 1,000 consumers with jwtProvider, an http JWKS on loopback', () => {
  const result = validateGatewayConfig(bench.config);
  assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems.slice(0, 3)));
  assert.equal(result.value.consumers.length, DISTINCT_TOKENS);
  for (const variant of bench.variants) assert.ok(result.value.routes.some((route) => route.paths.includes(`/${variant.path}/:id`)), variant.name);
});

test('each "without" route lacks exactly its policy and keeps the rest of the chain', () => {
  const routes = (bench.config as { routes: Record<string, unknown>[] }).routes;
  const chain = routes.find((route) => route.name === 'policy-chain') as Record<string, unknown>;
  for (const key of ['jwt', 'acl', 'ipRestriction', 'cors', 'requestHeaders', 'responseHeaders', 'rateLimit']) assert.notEqual(chain[key], undefined, key);
  const expectations: [string, string[]][] = [
    ['policy-no-jwt', ['jwt', 'acl']],
    ['policy-no-acl', ['acl']],
    ['policy-no-ip', ['ipRestriction']],
    ['policy-no-cors', ['cors']],
    ['policy-no-request-headers', ['requestHeaders']],
    ['policy-no-response-headers', ['responseHeaders']],
    ['policy-no-rate-limit', ['rateLimit']],
  ];
  for (const [name, missing] of expectations) {
    const route = routes.find((r) => r.name === name) as Record<string, unknown>;
    const absent = Object.keys(chain).filter((key) => route[key] === undefined);
    assert.deepEqual(absent.sort(), [...missing].sort(), name);
  }
});

test('the token rows: 1,000 tokens for 1,000 consumers, and more uncached tokens than the verified-token cache holds', () => {
  const many = bench.variants.find((variant) => variant.name === DISTINCT_TOKENS_ROW);
  const uncached = bench.variants.find((variant) => variant.name === UNCACHED_TOKENS_ROW);
  assert.equal(new Set(many?.tokens).size, DISTINCT_TOKENS);
  assert.equal(new Set(uncached?.tokens).size, UNCACHED_TOKENS);
  assert.ok(UNCACHED_TOKENS > VERIFIED_TOKEN_CACHE_SIZE);
});

test("a policy's cost is the chain's CPU per request minus its variant's; key-auth and basic-auth are measured against no-jwt", () => {
  const row = (name: string, cpuUsPerRequest: number) => ({ name, rps: 1000, cpuUsPerRequest });
  const costs = policyCosts(
    [
      row(CHAIN_ROW, 50),
      row('chain without cors', 48.5),
      row('chain without jwt (auth none, no acl)', 45),
      row('chain with key-auth instead of jwt', 47),
      row(UNCACHED_TOKENS_ROW, 66),
    ],
    bench.variants,
  );
  assert.deepEqual(
    costs.map((cost) => [cost.policy, cost.costUs]),
    [
      ['jwt RS256 (cached) + acl', 5],
      ['cors', 1.5],
      ['key-auth + acl (instead of jwt + acl)', 2],
      ['RS256 signature check (uncached token minus cached)', 16],
    ],
  );
  assert.deepEqual(policyCosts([row('chain without cors', 1)], bench.variants), [], 'no chain row, no costs');
});
