// A real Prometheus server (Debian's prometheus package, /usr/bin/prometheus) on 127.0.0.1 with a temporary
// config and data folder, and the bits of its HTTP API the e2e test reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusServer {
  url: string;
  child: ChildProcess;
  /** Everything Prometheus logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts prometheus with `config` (an object written as YAML) and resolves once /-/ready answers 200. The
 * port is picked free just before; when another program takes it first, Prometheus exits and a new port is tried.
 */
export async function startPrometheus(config: unknown, binary = '/usr/bin/prometheus', timeoutMs = 30_000): Promise<PrometheusServer> {
  const errors: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await startOnce(config, binary, timeoutMs);
    if (typeof started !== 'string') return started;
    errors.push(started);
  }
  throw new Error(`prometheus did not start: ${errors.join('\n---\n')}`);
}

async function startOnce(config: unknown, binary: string, timeoutMs: number): Promise<PrometheusServer | string> {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, 'exit');
  exited.catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { url, child, log: () => log, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exitedEarly = child.exitCode !== null;
  await stop();
  if (exitedEarly) return `exited with ${child.exitCode}: ${log}`;
  throw new Error(`prometheus did not become ready within ${timeoutMs} ms: ${log}`);
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/** GET on Prometheus' HTTP API (/api/v1/…), with repeated query parameters; returns `data`. */
export async function prometheusApi<T>(server: PrometheusServer, path: string, params: [string, string][] = []): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${server.url}/api/v1/${path}${query === '' ? '' : `?${query}`}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

export const instantQuery = (server: PrometheusServer, expression: string): Promise<InstantSample[]> =>
  prometheusApi<{ resultType: string; result: InstantSample[] }>(server, 'query', [['query', expression]]).then((data) => data.result);

export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export const activeAlerts = (server: PrometheusServer): Promise<ActiveAlert[]> =>
  prometheusApi<{ alerts: ActiveAlert[] }>(server, 'alerts').then((data) => data.alerts);

/** Polls `check` every `intervalMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function pollFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} within ${timeoutMs} ms${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
}
