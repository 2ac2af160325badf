// `npm run bench:gateway`: every contender in turn, in interleaved rounds, in three sections. Plain HTTP: the
// upstream direct, a bare undici proxy, express + http-proxy-middleware, nginx and NovaGate with its full
// pipeline. HTTPS (TLS 1.3, keep-alive, HTTP/1.1 load) and h2 (ALPN, many streams over a few connections):
// NovaGate's HTTPS listener against Caddy, nginx and HAProxy terminating TLS for the same upstream. The
// proxy under test runs on CPU 0, the load tool and the upstream on CPU 1 (taskset). Prints req/s, p50, p99,
// CPU µs per request of the proxy's processes and the ratios the gateway issues set as targets; asserts
// nothing. Load goes only to 127.0.0.1. NovaGate also runs with 3 upstream targets (round-robin) against 1
// target; BENCH_ONLY=pools runs just that pair (plain HTTP, same pinning). The policy section (issue 17,
// bench/policy-chain.ts) runs the whole policy chain against the bare undici proxy and the chain minus one
// policy each, and prints each policy's CPU cost per request; BENCH_ONLY=policies runs just that section.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayWithLogFile, writeConfigFile, type GatewayProcess } from '../src/testing/gateway-process.js';
import { makeTestCertificates } from '../src/testing/tls-certificates.js';
import { hasCommand, runWrk, type WrkResult } from '../src/testing/wrk.js';
import { startIdp, type TestIdp } from '../src/testing/jwt-idp.js';
import { startCaddy } from './caddy.js';
import { canPin, cpuSecondsOfTree, LOAD_CPU, PROXY_CPU, pinProcessTree } from './cpu-pinning.js';
import { freePort, type ExternalProxy, type Skipped } from './external-proxy.js';
import { runNodeH2Load } from './h2-load.js';
import { runH2load } from './h2load.js';
import { startHaproxy } from './haproxy.js';
import { startNginx, type TlsFiles } from './nginx.js';
import { buildPolicyBench, CHAIN_ROW, CHAIN_TARGET, DISTINCT_TOKENS_ROW, REFUSED_ROW_PREFIX, makeBenchKey, policyCosts, printPolicyCosts, UNCACHED_TOKENS_ROW, type PolicyVariant } from './policy-chain.js';
import { probeTls } from './tls-probe.js';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const H2_CONNECTIONS = Number(process.env.BENCH_H2_CONNECTIONS ?? 4);
const H2_STREAMS = Number(process.env.BENCH_H2_STREAMS ?? 32);
const ONLY_POOLS = process.env.BENCH_ONLY === 'pools';
const ONLY_POLICIES = process.env.BENCH_ONLY === 'policies';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Measurement extends WrkResult {
  name: string;
  /** CPU time the contender's processes spent per request, microseconds (Linux /proc; NaN elsewhere). */
  cpuUsPerRequest: number;
}

type Load = (url: string, headers: Record<string, string>, seconds: number, tokens?: string[]) => Promise<WrkResult>;

interface Contender {
  name: string;
  url: string;
  pid: number | undefined;
  /** Tokens sent in turn instead of the one shared token (many consumers, each with its own counter). */
  tokens?: string[];
  /** This contender's request headers instead of the section's shared ones. */
  headers?: Record<string, string>;
}

interface Section {
  title: string;
  tool: string;
  load: Load;
  contenders: Contender[];
  /** Names (prefixes) of the contenders the ratio columns divide by. */
  references: string[];
}

async function startNodeServer(script: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(here(script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, port: message.port };
}

function jwtFor(secret: string, subject = 'bench'): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: subject, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

// A rotation of tokens keeps every other header of the request (Origin, ...); only the token changes.
const loadWithWrk: Load = async (url, headers, seconds, tokens) => {
  const requests = tokens?.map((token) => ({ headers: { ...headers, authorization: `Bearer ${token}` } }));
  return runWrk(url, { connections: CONNECTIONS, seconds, headers, ...(requests === undefined ? {} : { requests }) });
};

const loadWithAutocannon: Load = async (url, headers, seconds, tokens) => {
  const { default: autocannon } = await import('autocannon');
  const requests = tokens?.map((token) => ({ headers: { ...headers, authorization: `Bearer ${token}` } }));
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, ...(requests === undefined ? {} : { requests }) });
  return { rps: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx };
};

const h2Options = (headers: Record<string, string>, seconds: number) => ({ connections: H2_CONNECTIONS, streams: H2_STREAMS, seconds, headers });
const loadWithH2load: Load = async (url, headers, seconds) => runH2load(url, h2Options(headers, seconds));
const loadWithNodeH2: Load = async (url, headers, seconds) => runNodeH2Load(url, h2Options(headers, seconds));

const http1Tool = hasCommand('wrk') ? 'wrk' : 'autocannon';
const http1Load = http1Tool === 'wrk' ? loadWithWrk : loadWithAutocannon;
// BENCH_H2_TOOL=node forces the node:http2 generator (it runs in this process, on the load core).
const useH2load = hasCommand('h2load') && process.env.BENCH_H2_TOOL !== 'node';
const h2Tool = useH2load ? 'h2load' : 'node:http2 (bench/h2-load.ts)';
const h2Load = useH2load ? loadWithH2load : loadWithNodeH2;

async function measure(section: Section, contender: Contender, sharedHeaders: Record<string, string>): Promise<Measurement> {
  const { name, url, pid, tokens } = contender;
  const headers = contender.headers ?? sharedHeaders;
  if (WARMUP_SECONDS > 0) await section.load(url, headers, WARMUP_SECONDS, tokens);
  const cpuBefore = pid === undefined ? NaN : cpuSecondsOfTree(pid);
  const result = await section.load(url, headers, DURATION_SECONDS, tokens);
  const cpuAfter = pid === undefined ? NaN : cpuSecondsOfTree(pid);
  const cpuUsPerRequest = ((cpuAfter - cpuBefore) * 1e6) / (result.rps * DURATION_SECONDS);
  process.stderr.write(`  ${section.title} / ${name}: ${result.rps.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(0)} us CPU/req\n`);
  return { name, ...result, cpuUsPerRequest };
}

interface NovaGateOptions {
  rateLimit: boolean;
  workers: number;
  consumers: number;
  /** Serve an HTTPS listener (TLS, ALPN h2 and http/1.1) with this certificate instead of plain HTTP on PORT. */
  tls?: TlsFiles;
  /** Balance over these upstream ports (round-robin) instead of the one upstream. */
  targets?: number[];
}

async function startNovaGate(upstreamPort: number, options: NovaGateOptions, dirs: string[]): Promise<GatewayProcess> {
  const route = `bench-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const config = {
    services: [
      options.targets === undefined
        ? { name: 'upstream', url: `http://127.0.0.1:${upstreamPort}` }
        : { name: 'upstream', targets: options.targets.map((targetPort) => ({ url: `http://127.0.0.1:${targetPort}` })) },
    ],
    routes: [
      {
        name: route,
        service: 'upstream',
        paths: ['/bench/:id'],
        methods: ['GET'],
        auth: 'jwt',
        ...(options.rateLimit ? { rateLimit: { limit: 1_000_000_000, windowSeconds: 60, by: 'consumer' } } : {}),
      },
    ],
    consumers: [
      { username: 'bench', jwtSubject: 'bench' },
      ...Array.from({ length: options.consumers }, (_, i) => ({ username: `bench-${i}`, jwtSubject: `bench-${i}` })),
    ],
    ...(options.tls === undefined
      ? {}
      : {
          listeners: [{ name: 'bench-tls', port, protocol: 'HTTPS', tls: { certificates: ['bench'] } }],
          certificates: [{ name: 'bench', cert: readFileSync(options.tls.certFile, 'utf8'), key: readFileSync(options.tls.keyFile, 'utf8') }],
        }),
  };
  return launchGateway(config, port, { WORKERS: String(options.workers), ...(options.rateLimit ? { REDIS_URL } : {}) }, dirs);
}

/** One gateway process with `config` on `port`, pinned to the proxy's CPU, its log lines going to a file. */
async function launchGateway(config: unknown, port: number, env: Record<string, string>, dirs: string[]): Promise<GatewayProcess> {
  const configFile = writeConfigFile(config);
  // Logs go to a file, as a container runtime would collect them, so that no extra process reads them here.
  const logDir = mkdtempSync(join(tmpdir(), 'novagate-bench-log-'));
  dirs.push(logDir, dirname(configFile));
  const logFile = join(logDir, 'gateway.log');
  const gateway = await startGatewayWithLogFile(
    {
      CONFIG_FILE: configFile,
      JWT_SECRET: SECRET,
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      LISTEN_ADDRESS: '127.0.0.1',
      ...env,
    },
    logFile,
  );
  pinProcessTree(gateway.child.pid as number, PROXY_CPU);
  return gateway;
}

const SECRET = randomBytes(32).toString('hex');

/** Consumers of the many-consumer variant: each request counts on another consumer's counter. */
const MANY_CONSUMERS = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function isSkipped(started: ExternalProxy | Skipped): started is Skipped {
  return 'skipped' in started;
}

async function main(): Promise<void> {
  // Everything this process starts (the upstream, wrk, h2load) inherits CPU 1; each proxy is moved to CPU 0.
  if (canPin) pinProcessTree(process.pid, LOAD_CPU);
  process.stderr.write(
    `${canPin ? `proxies on CPU ${PROXY_CPU}, load tool and upstream on CPU ${LOAD_CPU}` : 'no taskset or fewer than 2 cores: not pinned'}; ` +
      `HTTP/1.1 load: ${http1Tool}, ${CONNECTIONS} connections; h2 load: ${h2Tool}, ${H2_CONNECTIONS} connections x ${H2_STREAMS} streams; ` +
      `${ROUNDS} interleaved rounds of ${DURATION_SECONDS}s per contender (+${WARMUP_SECONDS}s warm-up)\n`,
  );
  // Every contender gets the same requests, token included: the proxies forward the same bytes each way,
  // so their figures compare the work each does with a request rather than the size of the requests.
  const headers = { authorization: `Bearer ${jwtFor(SECRET)}` };
  const children: ChildProcess[] = [];
  const gateways: GatewayProcess[] = [];
  // Temporary directories with configs and access logs (hundreds of MB after a full run): removed at the end.
  const dirs: string[] = [];
  let idp: TestIdp | undefined;
  let policyVariants: PolicyVariant[] = [];
  const external = async (name: string, start: Promise<ExternalProxy | Skipped>): Promise<ExternalProxy | undefined> => {
    const started = await start;
    if (isSkipped(started)) {
      process.stderr.write(`  ${name}: ${started.skipped}, skipped\n`);
      return undefined;
    }
    children.push(started.child);
    dirs.push(started.dir);
    return started;
  };
  try {
    const upstream = await startNodeServer('./upstream-server.ts');
    children.push(upstream.child);
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;

    // Two more upstream processes (on the load tool's CPU too) for the 3-target contender.
    const moreUpstreams = [await startNodeServer('./upstream-server.ts'), await startNodeServer('./upstream-server.ts')];
    children.push(...moreUpstreams.map((u) => u.child));
    const threeTargets = [upstream.port, ...moreUpstreams.map((u) => u.port)];

    // Plain HTTP.
    const plain: Section = { title: 'plain HTTP', tool: http1Tool, load: http1Load, contenders: [], references: ONLY_POOLS ? ['NovaGate: route'] : ['bare undici', 'express'] };
    const pools = async () => {
      for (const variant of [
        { name: 'NovaGate: route+JWT+metrics+logs', rateLimit: false, workers: 1, consumers: 0 },
        { name: 'NovaGate: 3 targets round-robin', rateLimit: false, workers: 1, consumers: 0, targets: threeTargets },
      ]) {
        const gateway = await startNovaGate(upstream.port, variant, dirs);
        gateways.push(gateway);
        plain.contenders.push({ name: variant.name, url: `http://127.0.0.1:${gateway.port}/bench/1`, pid: gateway.child.pid });
      }
    };
    const https: Section = { title: 'HTTPS (TLS 1.3, HTTP/1.1 keep-alive)', tool: http1Tool, load: http1Load, contenders: [], references: ['Caddy'] };
    const h2: Section = { title: 'h2 (TLS 1.3, ALPN h2)', tool: h2Tool, load: h2Load, contenders: [], references: ['Caddy'] };
    const policies: Section = { title: 'policies (plain HTTP, one gateway process, one route per variant)', tool: http1Tool, load: http1Load, contenders: [], references: ['bare undici'] };
    const startUndici = async (): Promise<Contender> => {
      const undici = await startNodeServer('./undici-proxy.ts', { UPSTREAM: upstreamUrl });
      children.push(undici.child);
      pinProcessTree(undici.child.pid as number, PROXY_CPU);
      return { name: 'bare undici proxy', url: `http://127.0.0.1:${undici.port}/bench/1`, pid: undici.child.pid };
    };
    // The policy gateway: its IdP serves the JWKS from this process (load CPU), over http on 127.0.0.1.
    const startPolicies = async (undici: Contender) => {
      const key = makeBenchKey();
      idp = await startIdp([key]);
      const bench = await buildPolicyBench(upstream.port, idp.jwksUri, key);
      const gateway = await launchGateway(bench.config, await freePort(), { WORKERS: '1', REDIS_URL }, dirs);
      gateways.push(gateway);
      // Its own contender object: the rounds key their measurements by contender.
      policies.contenders.push({ ...undici, headers: bench.headers });
      for (const variant of bench.variants) {
        const contender = { name: variant.name, url: `http://127.0.0.1:${gateway.port}/${variant.path}/1`, pid: gateway.child.pid, headers: variant.headers ?? bench.headers };
        await expectOk(contender, variant);
        policies.contenders.push(variant.tokens === undefined ? contender : { ...contender, tokens: variant.tokens });
      }
      policyVariants = bench.variants;
    };
    if (ONLY_POOLS) await pools();
    else if (ONLY_POLICIES) await startPolicies(await startUndici());
    else {
      plain.contenders.push({ name: 'upstream direct (CPU 1)', url: `${upstreamUrl}/bench/1`, pid: upstream.child.pid });
      await pools();
      const undici = await startUndici();
      plain.contenders.push(undici);
      const express = await startNodeServer('./express-proxy.ts', { UPSTREAM: upstreamUrl });
      children.push(express.child);
      pinProcessTree(express.child.pid as number, PROXY_CPU);
      plain.contenders.push({ name: 'express + http-proxy-middleware', url: `http://127.0.0.1:${express.port}/bench/1`, pid: express.child.pid });
      const nginx = await external('nginx (plain HTTP)', startNginx(upstream.port));
      if (nginx !== undefined) plain.contenders.push({ name: 'nginx (1 worker)', url: `http://127.0.0.1:${nginx.port}/bench/1`, pid: nginx.child.pid });
      const manyTokens = Array.from({ length: MANY_CONSUMERS }, (_, i) => jwtFor(SECRET, `bench-${i}`));
      for (const variant of [
        { name: 'NovaGate: + Redis rate limit', rateLimit: true, workers: 1, consumers: 0 },
        { name: `NovaGate: + Redis rate limit, ${MANY_CONSUMERS} consumers in turn`, rateLimit: true, workers: 1, consumers: MANY_CONSUMERS },
        { name: 'NovaGate: + Redis rate limit, WORKERS=2 (one core)', rateLimit: true, workers: 2, consumers: 0 },
      ]) {
        const gateway = await startNovaGate(upstream.port, variant, dirs);
        gateways.push(gateway);
        plain.contenders.push({
          name: variant.name,
          url: `http://127.0.0.1:${gateway.port}/bench/1`,
          pid: gateway.child.pid,
          ...(variant.consumers > 0 ? { tokens: manyTokens } : {}),
        });
      }

      // HTTPS and h2: one process per proxy serves both (ALPN picks), with the same test certificate.
      const certificates = makeTestCertificates();
      dirs.push(certificates.dir);
      const tls: TlsFiles = { certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile };
      const novaGate = await startNovaGate(upstream.port, { rateLimit: false, workers: 1, consumers: 0, tls }, dirs);
      gateways.push(novaGate);
      const tlsProxies: { name: string; port: number; pid: number | undefined }[] = [
        { name: 'NovaGate: route+JWT+metrics+logs', port: novaGate.port, pid: novaGate.child.pid },
      ];
      for (const [name, start] of [
        ['Caddy', startCaddy(upstream.port, tls)],
        ['nginx', startNginx(upstream.port, tls)],
        ['HAProxy', startHaproxy(upstream.port, tls)],
      ] as const) {
        const proxy = await external(name, start);
        if (proxy !== undefined) tlsProxies.push({ name: `${name} (1 worker)`, port: proxy.port, pid: proxy.child.pid });
      }
      for (const proxy of tlsProxies) {
        const negotiated = await probeTls(proxy.port, ['h2', 'http/1.1']);
        process.stderr.write(`  ${proxy.name}: ${negotiated.protocol}, ALPN ${negotiated.alpn}\n`);
        https.contenders.push({ name: proxy.name, url: `https://127.0.0.1:${proxy.port}/bench/1`, pid: proxy.pid });
        h2.contenders.push({ name: proxy.name, url: `https://127.0.0.1:${proxy.port}/bench/1`, pid: proxy.pid });
      }
      await startPolicies(undici);
    }

    // Rounds interleave every contender of every section so that drifting load on a shared machine hits them
    // all alike; the tables show the median of the rounds.
    const sections = ONLY_POOLS ? [plain] : ONLY_POLICIES ? [policies] : [plain, https, h2, policies];
    const runs = new Map<Contender, Measurement[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}\n`);
      for (const section of sections) {
        for (const contender of section.contenders) runs.set(contender, [...(runs.get(contender) ?? []), await measure(section, contender, headers)]);
      }
    }
    console.log(
      `\nmedian of ${ROUNDS} rounds of ${DURATION_SECONDS}s, node ${process.version}; ` +
        (canPin ? `proxy under test on CPU ${PROXY_CPU}, load tool + upstream on CPU ${LOAD_CPU} (Redis unpinned)` : 'not pinned'),
    );
    const results = sections.map((section) => ({
      section,
      results: section.contenders.map((contender) => summarise(contender.name, runs.get(contender) ?? [])),
    }));
    for (const { section, results: rows } of results) printTable(section, rows);
    if (ONLY_POOLS) printPoolTarget(results[0]?.results ?? []);
    else if (!ONLY_POLICIES) printTargets(results[0]?.results ?? [], results[1]?.results ?? [], results[2]?.results ?? []);
    const policyResults = results.find((entry) => entry.section === policies)?.results;
    if (policyResults !== undefined) printPolicyTargets(policyResults, policyVariants);
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await idp?.close();
    for (const child of children) if (child.exitCode === null) child.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** One request of a policy row before any load: a misconfigured route would otherwise bench its refusals. */
async function expectOk(contender: Contender & { headers: Record<string, string> }, variant: PolicyVariant): Promise<void> {
  const token = variant.tokens?.[0];
  const headers = token === undefined ? contender.headers : { ...contender.headers, authorization: `Bearer ${token}` };
  const response = await fetch(contender.url, { headers });
  const body = await response.text();
  if (response.status !== (variant.status ?? 200)) throw new Error(`${contender.name}: ${response.status} ${body}`);
}

function summarise(name: string, measured: Measurement[]): Measurement {
  return {
    name,
    rps: median(measured.map((m) => m.rps)),
    cpuUsPerRequest: median(measured.map((m) => m.cpuUsPerRequest)),
    p50ms: median(measured.map((m) => m.p50ms)),
    p99ms: median(measured.map((m) => m.p99ms)),
    non2xx: measured.reduce((sum, m) => sum + m.non2xx, 0),
  };
}

const find = (results: Measurement[], prefix: string) => results.find((r) => r.name.startsWith(prefix));
const ratio = (a: Measurement | undefined, b: Measurement | undefined) => (a === undefined || b === undefined ? '-' : (a.rps / b.rps).toFixed(2));

function printTable(section: Section, results: Measurement[]): void {
  const references = section.references.map((prefix) => find(results, prefix));
  const rows = results.map((r) => [
    r.name,
    r.rps.toFixed(0),
    r.p50ms.toFixed(2),
    r.p99ms.toFixed(2),
    Number.isNaN(r.cpuUsPerRequest) ? '-' : r.cpuUsPerRequest.toFixed(0),
    ...references.map((reference) => ratio(r, reference)),
    String(r.non2xx),
  ]);
  const header = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', ...section.references.map((prefix) => `x ${prefix.replace(/^bare /, '')}`), 'non-2xx'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(`\n${section.title}, load: ${section.tool}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function target(label: string, value: number | undefined, minimum: number, detail = ''): void {
  if (value === undefined || Number.isNaN(value)) console.log(`  - ${label}: not measured (a contender was skipped)`);
  else console.log(`  ${value >= minimum ? '✓' : '✗'} ${label}: ${value.toFixed(2)}x (>= ${minimum.toFixed(2)})${detail}`);
}

function cpuDetail(a: Measurement | undefined, b: Measurement | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a.cpuUsPerRequest) || Number.isNaN(b.cpuUsPerRequest)) return '';
  return `; CPU/req ${a.cpuUsPerRequest.toFixed(0)} vs ${b.cpuUsPerRequest.toFixed(0)} us`;
}

/** Issue 16: balancing over 3 targets costs at most 5% more CPU per request than 1 target. */
function printPoolTarget(plain: Measurement[]): void {
  const one = find(plain, 'NovaGate: route');
  const three = find(plain, 'NovaGate: 3 targets');
  if (one === undefined || three === undefined || Number.isNaN(one.cpuUsPerRequest) || Number.isNaN(three.cpuUsPerRequest)) {
    console.log('  - 3 targets round-robin vs 1 target: CPU per request not measured');
    return;
  }
  const cpu = three.cpuUsPerRequest / one.cpuUsPerRequest;
  console.log(
    `  ${cpu <= 1.05 ? '✓' : '✗'} 3 targets round-robin vs 1 target: CPU/req ${three.cpuUsPerRequest.toFixed(1)} vs ${one.cpuUsPerRequest.toFixed(1)} us = ` +
      `${cpu.toFixed(3)}x (<= 1.05); req/s ${(three.rps / one.rps).toFixed(2)}x`,
  );
}

/** Issue 17: the whole chain against the bare undici proxy, the token-set rows, then each policy's cost. */
function printPolicyTargets(rows: Measurement[], variants: readonly PolicyVariant[]): void {
  const undici = find(rows, 'bare undici');
  const chain = rows.find((r) => r.name === CHAIN_ROW);
  console.log('\ntargets (req/s ratios):');
  target(`plain HTTP: ${CHAIN_ROW} vs bare undici proxy`, chain === undefined || undici === undefined ? undefined : chain.rps / undici.rps, CHAIN_TARGET, cpuDetail(chain, undici));
  for (const row of rows.filter((r) => r.name === DISTINCT_TOKENS_ROW || r.name === UNCACHED_TOKENS_ROW || r.name.startsWith(REFUSED_ROW_PREFIX))) {
    const name = row.name;
    console.log(`  ${name}: ${ratio(row, undici)}x bare undici${cpuDetail(row, undici)} (no target)`);
  }
  console.log(
    `  the ${DISTINCT_TOKENS_ROW.slice(CHAIN_ROW.length + 2)} are one per consumer and all fit the verified-token cache; the ` +
      `${UNCACHED_TOKENS_ROW.slice(CHAIN_ROW.length + 2)} outnumber it, so each request pays an RS256 signature check`,
  );
  printPolicyCosts(policyCosts(rows, variants));
}

function printTargets(plain: Measurement[], https: Measurement[], h2: Measurement[]): void {
  printPoolTarget(plain);
  const undici = find(plain, 'bare undici');
  const express = find(plain, 'express');
  const full = find(plain, 'NovaGate: route');
  const limited = find(plain, 'NovaGate: + Redis rate limit');
  const many = find(plain, `NovaGate: + Redis rate limit, ${MANY_CONSUMERS}`);
  const rps = (a: Measurement | undefined, b: Measurement | undefined) => (a === undefined || b === undefined ? undefined : a.rps / b.rps);
  console.log('\ntargets (req/s ratios):');
  target('plain HTTP: NovaGate route+JWT+metrics+logs vs bare undici proxy', rps(full, undici), 0.9, cpuDetail(full, undici));
  target('plain HTTP: NovaGate + Redis rate limit vs bare undici proxy', rps(limited, undici), 0.65, cpuDetail(limited, undici));
  target('plain HTTP: NovaGate route+JWT+metrics+logs vs express', rps(full, express), 3);
  target('plain HTTP: NovaGate + Redis rate limit vs express', rps(limited, express), 3);
  const novaHttps = find(https, 'NovaGate');
  const caddyHttps = find(https, 'Caddy');
  target('HTTPS: NovaGate vs Caddy', rps(novaHttps, caddyHttps), 0.8, cpuDetail(novaHttps, caddyHttps));
  // Requests of one event-loop turn go to Redis in one script call, and those with the same counters count
  // as a group: one shared token is that grouping's best case, many consumers in turn its worst.
  if (many !== undefined && undici !== undefined) {
    console.log(`\nrate limit with ${MANY_CONSUMERS} consumers in turn (no two requests of a turn share a counter): ${(many.rps / undici.rps).toFixed(2)}x undici`);
  }
  const novaH2 = find(h2, 'NovaGate');
  for (const other of h2.filter((r) => r !== novaH2)) {
    console.log(`h2: NovaGate ${ratio(novaH2, other)}x ${other.name}${cpuDetail(novaH2, other)} (no target)`);
  }
  console.log(
    'logs: NovaGate writes a JSON line per request to a file in every section; nginx logs off for plain HTTP (as the undici ' +
      'and express baselines), and for HTTPS/h2 Caddy, nginx and HAProxy write an access log line per request to a file too.',
  );
}

await main();
