// `npm run bench:gateway`: one load tool, one setting, every contender in turn: the upstream direct, a bare
// undici proxy, express + http-proxy-middleware, nginx (when installed) and NovaGate with its full
// pipeline, in interleaved rounds. Prints req/s, p50 and p99 and the ratios the gateway issue sets as targets. Load goes only to 127.0.0.1.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayWithLogFile, writeConfigFile, type GatewayProcess } from '../src/testing/gateway-process.js';
import { hasCommand, runWrk } from '../src/testing/wrk.js';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Measurement {
  name: string;
  rps: number;
  /** CPU time the contender's processes spent per request, microseconds (Linux /proc; NaN elsewhere). */
  cpuUsPerRequest: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

/** utime + stime of a process and all its descendants, seconds (Linux). */
function cpuSecondsOfTree(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(' ')) seconds += cpuSecondsOfTree(Number(child));
    }
    return seconds;
  } catch {
    return NaN;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
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

async function loadWithWrk(url: string, headers: Record<string, string>, seconds: number, tokens?: string[]): Promise<Omit<Measurement, 'name' | 'cpuUsPerRequest'>> {
  const requests = tokens?.map((token) => ({ headers: { Authorization: `Bearer ${token}` } }));
  return runWrk(url, { connections: CONNECTIONS, seconds, headers, ...(requests === undefined ? {} : { requests }) });
}

async function loadWithAutocannon(url: string, headers: Record<string, string>, seconds: number, tokens?: string[]): Promise<Omit<Measurement, 'name' | 'cpuUsPerRequest'>> {
  const { default: autocannon } = await import('autocannon');
  const requests = tokens?.map((token) => ({ headers: { authorization: `Bearer ${token}` } }));
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, ...(requests === undefined ? {} : { requests }) });
  return { rps: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx };
}

const tool = hasCommand('wrk') ? 'wrk' : 'autocannon';
const load = tool === 'wrk' ? loadWithWrk : loadWithAutocannon;

async function measure(name: string, url: string, pid: number | undefined, headers: Record<string, string> = {}, tokens?: string[]): Promise<Measurement> {
  if (WARMUP_SECONDS > 0) await load(url, headers, WARMUP_SECONDS, tokens);
  const cpuBefore = pid === undefined ? NaN : cpuSecondsOfTree(pid);
  const result = await load(url, headers, DURATION_SECONDS, tokens);
  const cpuAfter = pid === undefined ? NaN : cpuSecondsOfTree(pid);
  const cpuUsPerRequest = ((cpuAfter - cpuBefore) * 1e6) / (result.rps * DURATION_SECONDS);
  process.stderr.write(`  ${name}: ${result.rps.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(0)} us CPU/req\n`);
  return { name, ...result, cpuUsPerRequest };
}

async function startNginx(upstreamPort: number): Promise<{ child: ChildProcess; port: number } | undefined> {
  const binary = ['nginx', '/usr/sbin/nginx'].find((candidate) => hasCommand(candidate));
  if (binary === undefined) return undefined;
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'novagate-bench-nginx-'));
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  upstream bench { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://bench; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (child.exitCode !== null) return undefined;
  return { child, port };
}

async function startNovaGate(upstreamPort: number, options: { rateLimit: boolean; workers: number; consumers: number }): Promise<GatewayProcess> {
  const route = `bench-${randomBytes(4).toString('hex')}`;
  const configFile = writeConfigFile({
    services: [{ name: 'upstream', url: `http://127.0.0.1:${upstreamPort}` }],
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
  });
  // Logs go to a file, as a container runtime would collect them, so that no extra process reads them here.
  const logFile = join(mkdtempSync(join(tmpdir(), 'novagate-bench-log-')), 'gateway.log');
  return startGatewayWithLogFile(
    {
      CONFIG_FILE: configFile,
      JWT_SECRET: SECRET,
      WORKERS: String(options.workers),
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      ...(options.rateLimit ? { REDIS_URL } : {}),
    },
    logFile,
  );
}

const SECRET = randomBytes(32).toString('hex');

interface Contender {
  name: string;
  url: string;
  pid: number | undefined;
  /** Tokens sent in turn instead of the one shared token (many consumers, each with its own counter). */
  tokens?: string[];
}

/** Consumers of the many-consumer variant: each request counts on another consumer's counter. */
const MANY_CONSUMERS = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  process.stderr.write(
    `load tool: ${tool}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_SECONDS}s per contender (+${WARMUP_SECONDS}s warm-up)\n`,
  );
  // Every contender gets the same requests, token included: the proxies forward the same bytes each way,
  // so their figures compare the work each does with a request rather than the size of the requests.
  const headers = { authorization: `Bearer ${jwtFor(SECRET)}` };
  const children: ChildProcess[] = [];
  const gateways: GatewayProcess[] = [];
  try {
    const upstream = await startNodeServer('./upstream-server.ts');
    children.push(upstream.child);
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
    const contenders: Contender[] = [{ name: 'upstream direct', url: `${upstreamUrl}/bench/1`, pid: upstream.child.pid }];

    const undici = await startNodeServer('./undici-proxy.ts', { UPSTREAM: upstreamUrl });
    children.push(undici.child);
    contenders.push({ name: 'bare undici proxy', url: `http://127.0.0.1:${undici.port}/bench/1`, pid: undici.child.pid });

    const express = await startNodeServer('./express-proxy.ts', { UPSTREAM: upstreamUrl });
    children.push(express.child);
    contenders.push({ name: 'express + http-proxy-middleware', url: `http://127.0.0.1:${express.port}/bench/1`, pid: express.child.pid });

    const nginx = await startNginx(upstream.port);
    if (nginx === undefined) process.stderr.write('  nginx: not installed, skipped\n');
    else {
      children.push(nginx.child);
      contenders.push({ name: 'nginx (1 worker)', url: `http://127.0.0.1:${nginx.port}/bench/1`, pid: nginx.child.pid });
    }

    const manyTokens = Array.from({ length: MANY_CONSUMERS }, (_, i) => jwtFor(SECRET, `bench-${i}`));
    for (const variant of [
      { name: 'NovaGate: route+JWT+metrics+logs', rateLimit: false, workers: 1, consumers: 0 },
      { name: 'NovaGate: + Redis rate limit', rateLimit: true, workers: 1, consumers: 0 },
      { name: `NovaGate: + Redis rate limit, ${MANY_CONSUMERS} consumers in turn`, rateLimit: true, workers: 1, consumers: MANY_CONSUMERS },
      { name: 'NovaGate: + Redis rate limit, WORKERS=2', rateLimit: true, workers: 2, consumers: 0 },
    ]) {
      const gateway = await startNovaGate(upstream.port, variant);
      gateways.push(gateway);
      contenders.push({
        name: variant.name,
        url: `http://127.0.0.1:${gateway.port}/bench/1`,
        pid: gateway.child.pid,
        ...(variant.consumers > 0 ? { tokens: manyTokens } : {}),
      });
    }

    // Rounds interleave the contenders so that drifting load on a shared machine hits them all alike;
    // the table shows the median of the rounds.
    const runs = new Map<string, Measurement[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}\n`);
      for (const contender of contenders) {
        const measurement = await measure(contender.name, contender.url, contender.pid, headers, contender.tokens);
        runs.set(contender.name, [...(runs.get(contender.name) ?? []), measurement]);
      }
    }
    const results = contenders.map((contender) => {
      const measured = runs.get(contender.name) ?? [];
      return {
        name: contender.name,
        rps: median(measured.map((m) => m.rps)),
        cpuUsPerRequest: median(measured.map((m) => m.cpuUsPerRequest)),
        p50ms: median(measured.map((m) => m.p50ms)),
        p99ms: median(measured.map((m) => m.p99ms)),
        non2xx: measured.reduce((sum, m) => sum + m.non2xx, 0),
      };
    });
    printTable(results);
  } finally {
    for (const gateway of gateways) await gateway.stop();
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

function printTable(results: Measurement[]): void {
  const find = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
  const baseline = find('bare undici');
  const express = find('express');
  const rows = results.map((r) => [
    r.name,
    r.rps.toFixed(0),
    r.p50ms.toFixed(2),
    r.p99ms.toFixed(2),
    Number.isNaN(r.cpuUsPerRequest) ? '-' : r.cpuUsPerRequest.toFixed(0),
    baseline === undefined ? '-' : (r.rps / baseline.rps).toFixed(2),
    express === undefined ? '-' : (r.rps / express.rps).toFixed(2),
    String(r.non2xx),
  ]);
  const header = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'x undici', 'x express', 'non-2xx'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(`\nload tool: ${tool}, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${DURATION_SECONDS}s, node ${process.version}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
  const full = find('NovaGate: route');
  const limited = find('NovaGate: + Redis rate limit');
  const many = find(`NovaGate: + Redis rate limit, ${MANY_CONSUMERS}`);
  if (baseline !== undefined && express !== undefined && full !== undefined && limited !== undefined) {
    console.log(
      `\ntargets: route+JWT+metrics+logs ${(full.rps / baseline.rps).toFixed(2)}x undici (>= 0.80), ` +
        `+ rate limit ${(limited.rps / baseline.rps).toFixed(2)}x (>= 0.65), ` +
        `vs express ${(full.rps / express.rps).toFixed(2)}x / ${(limited.rps / express.rps).toFixed(2)}x (>= 3)`,
    );
    // Requests of one event-loop turn go to Redis in one script call, and those with the same counters count
    // as a group: one shared token is that grouping's best case, many consumers in turn its worst.
    if (many !== undefined) console.log(`rate limit with ${MANY_CONSUMERS} consumers in turn (no two requests of a turn share a counter): ${(many.rps / baseline.rps).toFixed(2)}x undici`);
  }
}

await main();
