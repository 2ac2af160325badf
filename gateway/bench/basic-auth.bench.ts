// `npm run bench:basic-auth --workspace gateway`: what a basic-auth request costs in the policy itself, with the
// verified-credential cache (steady traffic: an HMAC-SHA256 and map lookups) and without it (a bcrypt compare on
// the thread pool, cost 10 and 12), plus the event loop's worst stall while uncached compares run. Prints a
// table; asserts nothing; runs for well under a minute.
import type { IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import type { ConsumerConfig } from '../src/config/index.js';
import type { RequestContext } from '../src/pipeline/policy.js';
import { requestContext } from '../src/testing/request-context.js';
import { basicAuthTable, createBasicAuthPolicy, createBasicAuthState, type BasicAuthState } from '../src/policies/basic-auth/basic-auth-policy.js';
import type { Policy } from '../src/pipeline/policy.js';
import { defaultConcurrency } from '../src/policies/basic-auth/bcrypt-verifier.js';

const PASSWORD = 'correct horse battery staple';
const header = `Basic ${Buffer.from(`partner-a:${PASSWORD}`).toString('base64')}`;

function context(): RequestContext {
  return requestContext({ headers: { authorization: header } as IncomingMessage['headers'], requestId: 'bench', clientIp: '192.0.2.1', routeName: 'bench' });
}

async function policyFor(cost: number): Promise<{ policy: Policy; state: BasicAuthState }> {
  const consumers = [{ username: 'partner', apiKeyHashes: [], basicAuth: [{ username: 'partner-a', passwordHash: await bcrypt.hash(PASSWORD, cost) }] }] as ConsumerConfig[];
  const state = createBasicAuthState(Date.now);
  return { policy: createBasicAuthPolicy(basicAuthTable(consumers), state), state };
}

async function cachedMicros(): Promise<number> {
  const { policy } = await policyFor(10);
  await policy(context()); // fills the cache
  const rounds = 200_000;
  for (let i = 0; i < 20_000; i++) await policy(context());
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const outcome = await policy(context());
    if (outcome !== undefined) throw new Error('cached credential refused');
  }
  return Number(process.hrtime.bigint() - started) / 1000 / rounds;
}

/** Sequential uncached requests (each one a bcrypt), and `parallel` at once: latency, throughput, event-loop stall. */
async function uncached(cost: number, parallel: number): Promise<{ latencyMicros: number; perSecond: number; maxStallMs: number }> {
  const { policy, state } = await policyFor(cost);
  const once = async () => {
    state.cache.delete(state.cache.keyOf('partner-a', PASSWORD));
    const outcome = await policy(context());
    if (outcome !== undefined) throw new Error('credential refused');
  };
  const sequential = 20;
  let started = process.hrtime.bigint();
  for (let i = 0; i < sequential; i++) await once();
  const latencyMicros = Number(process.hrtime.bigint() - started) / 1000 / sequential;
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const total = parallel * 8;
  started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next++ < total) await once();
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  stall.disable();
  return { latencyMicros, perSecond: total / seconds, maxStallMs: stall.max / 1e6 };
}

/** The event loop's worst stall with nothing running, for comparison (a loaded machine stalls it too). */
async function idleStallMs(ms: number): Promise<number> {
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  stall.disable();
  return stall.max / 1e6;
}

const rows: string[][] = [['case', 'µs per request', 'requests/s', 'worst event-loop stall']];
rows.push(['idle (baseline, 3 s)', '–', '–', `${(await idleStallMs(3_000)).toFixed(1)} ms`]);
const cached = await cachedMicros();
rows.push(['cached (HMAC + lookups)', cached.toFixed(2), Math.round(1e6 / cached).toLocaleString('en'), '–']);
for (const cost of [10, 12]) {
  const figures = await uncached(cost, 4);
  rows.push([`uncached, bcrypt cost ${cost} (4 at once)`, figures.latencyMicros.toFixed(0), figures.perSecond.toFixed(1), `${figures.maxStallMs.toFixed(1)} ms`]);
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(`${availableParallelism()} cores, ${defaultConcurrency()} bcrypt compare(s) at a time; µs per request of the uncached rows is one request alone.`);
