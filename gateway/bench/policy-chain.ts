// The policy section of bench:gateway (issue 17): one gateway process whose config has one route per variant of
// the whole policy chain (RS256 JWT from a local JWKS, ACL, IP rule, CORS, request and response header edits,
// the Redis rate limit), the chain minus one policy each, and the chain with key-auth or basic-auth in place of
// JWT. This module builds that config, the tokens and the requests; gateway.bench.ts starts and measures it.
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { VERIFIED_TOKEN_CACHE_SIZE } from '../src/policies/jwt/provider-policy.js';
import { makeKey, signToken, type TestKey } from '../src/testing/jwt-idp.js';

export const CHAIN_ROW = 'NovaGate whole chain (RS256 JWKS+ACL+IP+CORS+headers+Redis RL)';
export const DISTINCT_TOKENS = 1_000;
export const DISTINCT_TOKENS_ROW = `${CHAIN_ROW}, ${DISTINCT_TOKENS.toLocaleString('en-US')} distinct tokens`;
/** More tokens than the verified-token cache holds: sent in turn, every one misses it (FIFO eviction). */
export const UNCACHED_TOKENS = Math.ceil(VERIFIED_TOKEN_CACHE_SIZE * 1.2);
export const UNCACHED_TOKENS_ROW = `${CHAIN_ROW}, ${UNCACHED_TOKENS.toLocaleString('en-US')} distinct tokens (cache misses)`;
/** Rows of refused requests: an attacker's flood, answered by the gateway itself. */
export const REFUSED_ROW_PREFIX = 'NovaGate whole chain, refused';
/** Issue 17: the whole chain serves at least this share of the bare undici proxy's req/s. */
export const CHAIN_TARGET = 0.75;

const ISSUER = 'https://idp.bench.novagate.test/';
const AUDIENCE = 'bench-api';
const PROVIDER = 'bench-idp';
const GROUP = 'bench-users';
const ORIGIN = 'https://app.bench.example';
const BASIC_USER = 'bench-basic';
const BASIC_PASSWORD = 'bench basic password';

/** One route of the policy gateway and the row that measures it. */
export interface PolicyVariant {
  /** The row's name. */
  name: string;
  /** The route's path prefix (`/<path>/:id`). */
  path: string;
  /** The policy this variant leaves out (its cost is the chain's CPU/req minus this variant's). */
  without?: string;
  /** Headers of this variant's requests instead of the JWT ones. */
  headers?: Record<string, string>;
  /** Tokens sent in turn instead of the one token. */
  tokens?: string[];
  /** The status every request of the row gets (200 unless said). */
  status?: number;
}

export interface PolicyBench {
  config: unknown;
  /** Headers every request carries (the one consumer's token, an allowed Origin, a header the route removes). */
  headers: Record<string, string>;
  variants: PolicyVariant[];
}

const consumerName = (i: number) => `bench-user-${i}`;

/** A year ahead: the tokens never expire during a run. */
const farExp = () => Math.floor(Date.now() / 1000) + 365 * 24 * 3600;

function tokenFor(key: TestKey, subject: string, jti: string): string {
  return signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: subject, exp: farExp(), jti });
}

/** The key of the local identity provider (its JWKS is served by the caller, e.g. testing/jwt-idp's startIdp). */
export function makeBenchKey(): TestKey {
  return makeKey('RS256', 'bench-rs256');
}

/** The config, the requests and the rows (signing the token sets takes a few seconds of RSA). */
export async function buildPolicyBench(upstreamPort: number, jwksUri: string, key: TestKey): Promise<PolicyBench> {
  const token = tokenFor(key, consumerName(0), 'bench');
  const headers = { authorization: `Bearer ${token}`, origin: ORIGIN, 'x-debug': '1' };
  const apiKey = randomBytes(32).toString('hex');
  const basic = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`;
  const basicAuth = [{ username: BASIC_USER, passwordHash: await bcrypt.hash(BASIC_PASSWORD, 10) }];
  const consumers = Array.from({ length: DISTINCT_TOKENS }, (_, i) => ({
    username: consumerName(i),
    jwtProvider: PROVIDER,
    jwtSubject: consumerName(i),
    groups: [GROUP],
    ...(i === 0 ? { apiKeyHashes: [createHash('sha256').update(apiKey).digest('hex')], basicAuth } : {}),
  }));
  const chain = {
    service: 'upstream',
    methods: ['GET'],
    auth: 'jwt',
    jwt: { providers: [{ name: PROVIDER, issuer: ISSUER, audiences: [AUDIENCE], jwksUri, allowHttp: true, algorithms: ['RS256'] }] },
    acl: { allow: [GROUP] },
    ipRestriction: { allow: ['127.0.0.0/8'] },
    cors: { allowOrigins: [ORIGIN], allowMethods: ['GET'], allowHeaders: ['authorization'], exposeHeaders: ['x-request-id'] },
    requestHeaders: { set: { 'x-env': 'bench' }, remove: ['x-debug'] },
    responseHeaders: { set: { 'x-frame-options': 'DENY' }, remove: ['server'] },
    rateLimit: { limit: 1_000_000_000, windowSeconds: 60, by: 'consumer' },
  };
  type Route = Partial<typeof chain> & { auth: string };
  const without = (...keys: (keyof typeof chain)[]): Route => {
    const route: Route = { ...chain };
    for (const key of keys) delete route[key];
    return route;
  };
  const { jwt: _jwt, ...notJwt } = chain;
  const routes: { path: string; route: Route; variant: Omit<PolicyVariant, 'path'> }[] = [
    { path: 'chain', route: chain, variant: { name: CHAIN_ROW } },
    {
      path: 'chain',
      route: chain,
      variant: { name: DISTINCT_TOKENS_ROW, tokens: Array.from({ length: DISTINCT_TOKENS }, (_, i) => tokenFor(key, consumerName(i), `many-${i}`)) },
    },
    {
      path: 'chain',
      route: chain,
      variant: { name: UNCACHED_TOKENS_ROW, tokens: Array.from({ length: UNCACHED_TOKENS }, (_, i) => tokenFor(key, consumerName(i % DISTINCT_TOKENS), `uncached-${i}`)) },
    },
    {
      path: 'chain',
      route: chain,
      variant: { name: `${REFUSED_ROW_PREFIX} (no token: 401 flood)`, headers: { origin: ORIGIN, 'x-debug': '1' }, status: 401 },
    },
    { path: 'no-jwt', route: { ...without('jwt', 'acl'), auth: 'none' }, variant: { name: 'chain without jwt (auth none, no acl)', without: 'jwt RS256 (cached) + acl' } },
    { path: 'no-acl', route: without('acl'), variant: { name: 'chain without acl', without: 'acl' } },
    { path: 'no-ip', route: without('ipRestriction'), variant: { name: 'chain without ipRestriction', without: 'ipRestriction' } },
    { path: 'no-cors', route: without('cors'), variant: { name: 'chain without cors', without: 'cors' } },
    { path: 'no-request-headers', route: without('requestHeaders'), variant: { name: 'chain without requestHeaders', without: 'requestHeaders set+remove' } },
    { path: 'no-response-headers', route: without('responseHeaders'), variant: { name: 'chain without responseHeaders', without: 'responseHeaders set+remove' } },
    { path: 'no-rate-limit', route: without('rateLimit'), variant: { name: 'chain without rate limit', without: 'rate limit (Redis, by consumer)' } },
    { path: 'key-auth', route: { ...notJwt, auth: 'key-auth' }, variant: { name: 'chain with key-auth instead of jwt', headers: { ...headers, authorization: `Bearer ${apiKey}` } } },
    { path: 'basic-auth', route: { ...notJwt, auth: 'basic-auth' }, variant: { name: 'chain with basic-auth (cached) instead of jwt', headers: { ...headers, authorization: basic } } },
  ];
  const uniquePaths = [...new Map(routes.map((entry) => [entry.path, entry.route])).entries()];
  return {
    config: {
      services: [{ name: 'upstream', url: `http://127.0.0.1:${upstreamPort}` }],
      routes: uniquePaths.map(([path, route]) => ({ name: `policy-${path}`, paths: [`/${path}/:id`], ...route })),
      consumers,
    },
    headers,
    variants: routes.map(({ path, variant }) => ({ ...variant, path })),
  };
}

export interface CostRow {
  policy: string;
  /** CPU µs per request the policy adds (the chain's minus the chain's without it). */
  costUs: number;
  /** req/s of the variant without the policy. */
  rpsWithout: number;
}

interface Measured {
  name: string;
  rps: number;
  cpuUsPerRequest: number;
}

/** Each policy's cost from the measured rows: `chain − chain without it`; key-auth and basic-auth against no-jwt. */
export function policyCosts(rows: readonly Measured[], variants: readonly PolicyVariant[]): CostRow[] {
  const byName = new Map(rows.map((row) => [row.name, row]));
  const chain = byName.get(CHAIN_ROW);
  const noAuth = byName.get('chain without jwt (auth none, no acl)');
  const costs: CostRow[] = [];
  if (chain === undefined) return costs;
  for (const variant of variants) {
    const row = byName.get(variant.name);
    if (variant.without !== undefined && row !== undefined) costs.push({ policy: variant.without, costUs: chain.cpuUsPerRequest - row.cpuUsPerRequest, rpsWithout: row.rps });
  }
  for (const [name, policy] of [
    ['chain with key-auth instead of jwt', 'key-auth + acl (instead of jwt + acl)'],
    ['chain with basic-auth (cached) instead of jwt', 'basic-auth cached + acl (instead of jwt + acl)'],
  ] as const) {
    const row = byName.get(name);
    if (row !== undefined && noAuth !== undefined) costs.push({ policy, costUs: row.cpuUsPerRequest - noAuth.cpuUsPerRequest, rpsWithout: noAuth.rps });
  }
  const uncached = byName.get(UNCACHED_TOKENS_ROW);
  if (uncached !== undefined) costs.push({ policy: 'RS256 signature check (uncached token minus cached)', costUs: uncached.cpuUsPerRequest - chain.cpuUsPerRequest, rpsWithout: chain.rps });
  return costs;
}

export function printPolicyCosts(costs: readonly CostRow[]): void {
  if (costs.length === 0) {
    console.log('\nper-policy cost: not measured (the whole-chain row is missing)');
    return;
  }
  const rows = costs.map((cost) => [cost.policy, Number.isNaN(cost.costUs) ? '-' : (Math.abs(cost.costUs) < 0.05 ? 0 : cost.costUs).toFixed(1), cost.rpsWithout.toFixed(0)]);
  const header = ['policy', 'us/request (chain - chain without it)', 'req/s without it'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  console.log('\nper-policy cost, CPU us per request of the gateway process (differences of medians: noisy, can come out negative)');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(
    '  note: "without jwt" is auth none and no acl (acl needs an identified consumer), so its rate limit counts per client IP; ' +
      'key-auth and basic-auth are measured as the chain with them (and acl) in place of jwt, minus the chain without jwt. ' +
      'The key-auth row sends a 64-character API key as Bearer, the basic-auth row Basic credentials (bcrypt cost 10, cached after the first), ' +
      'in place of the 560-character JWT.',
  );
}
