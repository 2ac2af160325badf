// `npm run bench:gateway`: one load tool, one setting, every contender in turn: the upstream direct, a bare
// undici proxy, express + http-proxy-middleware, nginx (when installed) and NovaGate with its full
// pipeline. Prints req/s, p50 and p99 and the ratios the gateway issue sets as targets. Load goes only to 127.0.0.1.
import { execFileSync, fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '../src/testing/gateway-process.js';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Measurement {
  name: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
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

function jwtFor(secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'bench', exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function parseWrkLatency(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\b`, 'm').exec(text);
  if (match === null) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

async function loadWithWrk(url: string, headers: Record<string, string>, seconds: number): Promise<Omit<Measurement, 'name'>> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const output = execFileSync('wrk', args, { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  return { rps, p50ms: parseWrkLatency(output, '50'), p99ms: parseWrkLatency(output, '99'), non2xx };
}

async function loadWithAutocannon(url: string, headers: Record<string, string>, seconds: number): Promise<Omit<Measurement, 'name'>> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return { rps: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx };
}

const tool = hasCommand('wrk') ? 'wrk' : 'autocannon';
const load = tool === 'wrk' ? loadWithWrk : loadWithAutocannon;

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  if (WARMUP_SECONDS > 0) await load(url, headers, WARMUP_SECONDS);
  const result = await load(url, headers, DURATION_SECONDS);
  process.stderr.write(`  ${name}: ${result.rps.toFixed(0)} req/s\n`);
  return { name, ...result };
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

async function startNovaGate(upstreamPort: number, options: { rateLimit: boolean; workers: number }): Promise<GatewayProcess> {
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
    consumers: [{ username: 'bench', jwtSubject: 'bench' }],
  });
  const gateway = await startGatewayProcess({
    CONFIG_FILE: configFile,
    JWT_SECRET: SECRET,
    WORKERS: String(options.workers),
    ...(options.rateLimit ? { REDIS_URL } : {}),
  });
  // The gateway keeps writing every log line to its stdout pipe; the harness stops parsing and just drains it.
  gateway.child.stdout?.removeAllListeners('data');
  gateway.child.stdout?.resume();
  return gateway;
}

const SECRET = randomBytes(32).toString('hex');

async function main(): Promise<void> {
  process.stderr.write(`load tool: ${tool}, ${CONNECTIONS} connections, ${DURATION_SECONDS}s per run (+${WARMUP_SECONDS}s warm-up)\n`);
  const children: ChildProcess[] = [];
  const gateways: GatewayProcess[] = [];
  try {
    const upstream = await startNodeServer('./upstream-server.ts');
    children.push(upstream.child);
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
    const results: Measurement[] = [];
    results.push(await measure('upstream direct', `${upstreamUrl}/bench/1`));

    const undici = await startNodeServer('./undici-proxy.ts', { UPSTREAM: upstreamUrl });
    children.push(undici.child);
    results.push(await measure('bare undici proxy', `http://127.0.0.1:${undici.port}/bench/1`));
    undici.child.kill();

    const express = await startNodeServer('./express-proxy.ts', { UPSTREAM: upstreamUrl });
    children.push(express.child);
    results.push(await measure('express + http-proxy-middleware', `http://127.0.0.1:${express.port}/bench/1`));
    express.child.kill();

    const nginx = await startNginx(upstream.port);
    if (nginx === undefined) process.stderr.write('  nginx: not installed, skipped\n');
    else {
      children.push(nginx.child);
      results.push(await measure('nginx (1 worker)', `http://127.0.0.1:${nginx.port}/bench/1`));
      nginx.child.kill();
    }

    const auth = { authorization: `Bearer ${jwtFor(SECRET)}` };
    for (const variant of [
      { name: 'NovaGate: route+JWT+metrics+logs', rateLimit: false, workers: 1 },
      { name: 'NovaGate: + Redis rate limit', rateLimit: true, workers: 1 },
      { name: 'NovaGate: + Redis rate limit, WORKERS=2', rateLimit: true, workers: 2 },
    ]) {
      const gateway = await startNovaGate(upstream.port, variant);
      gateways.push(gateway);
      const measurement = await measure(variant.name, `http://127.0.0.1:${gateway.port}/bench/1`, auth);
      results.push(measurement);
      gateway.lines.length = 0;
      await gateway.stop();
    }
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
    baseline === undefined ? '-' : (r.rps / baseline.rps).toFixed(2),
    express === undefined ? '-' : (r.rps / express.rps).toFixed(2),
    String(r.non2xx),
  ]);
  const header = ['contender', 'req/s', 'p50 ms', 'p99 ms', 'x undici', 'x express', 'non-2xx'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(`\nload tool: ${tool}, ${CONNECTIONS} connections, ${DURATION_SECONDS}s per run, node ${process.version}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`);
  for (const row of rows) console.log(line(row));
  const full = find('NovaGate: route');
  const limited = find('NovaGate: + Redis rate limit');
  if (baseline !== undefined && express !== undefined && full !== undefined && limited !== undefined) {
    console.log(
      `\ntargets: route+JWT+metrics+logs ${(full.rps / baseline.rps).toFixed(2)}x undici (>= 0.80), ` +
        `+ rate limit ${(limited.rps / baseline.rps).toFixed(2)}x (>= 0.65), ` +
        `vs express ${(full.rps / express.rps).toFixed(2)}x / ${(limited.rps / express.rps).toFixed(2)}x (>= 3)`,
    );
  }
}

await main();
