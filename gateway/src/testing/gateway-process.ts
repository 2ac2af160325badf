// Starts real gateway processes (src/main.ts through tsx) for integration tests and the benchmark, and
// reads the ports they chose from their 'listening' log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// main.ts beside this file when run from source (tests through tsx), main.js when imported from dist by e2e.
const MAIN = fileURLToPath(new URL(existsSync(fileURLToPath(new URL('../main.ts', import.meta.url))) ? '../main.ts' : '../main.js', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  /** Every stdout line so far. */
  lines: string[];
  /** Every stderr chunk so far. */
  stderr: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export function writeConfigFile(config: unknown, name = 'gateway.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-gw-'));
  const path = join(dir, name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the gateway until it exits (for start-up failures), killing it after `timeoutMs`. */
export async function runGatewayToExit(env: Record<string, string>, timeoutMs = 15_000): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** SIGTERM, then SIGKILL after 20 s; resolves with the exit code. */
async function stopGateway(child: ChildProcess, exited: Promise<unknown[]>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  clearTimeout(killer);
  return code;
}

async function pollReady(metricsPort: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('gateway did not become ready in time');
}

/**
 * Starts a gateway whose stdout goes to `logFile` (as a log shipper would read it, without this process in
 * the way) on the given ports, and resolves once /readyz answers 200. For the benchmark.
 */
export async function startGatewayWithLogFile(
  env: Record<string, string> & { PORT: string; METRICS_PORT: string },
  logFile: string,
  timeoutMs = 20_000,
): Promise<GatewayProcess> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  await pollReady(Number(env.METRICS_PORT), timeoutMs, child);
  return {
    child,
    port: Number(env.PORT),
    metricsPort: Number(env.METRICS_PORT),
    lines: [],
    stderr: () => stderr,
    stop: () => stopGateway(child, exited),
  };
}

/**
 * Starts a gateway with PORT=0 and METRICS_PORT=0 unless `env` says otherwise; resolves once it listens
 * (read from its info-level 'listening' lines, so LOG_LEVEL must stay at info or below).
 */
export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const started = new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    let port: number | undefined;
    let metricsPort: number | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start in time: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number; metricsPort?: number };
          // A config with its own listeners has no PORT listener: port 0 then, and the test knows its ports.
          if (entry.msg === 'gateway listening') port = entry.port ?? 0;
          if (entry.metricsPort !== undefined) metricsPort = entry.metricsPort;
        } catch {
          // not a log line
        }
      }
      if (port !== undefined && metricsPort !== undefined) {
        clearTimeout(timer);
        resolve({ port, metricsPort });
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${String(code)} before listening: ${stderr}`));
    });
  });
  const { port, metricsPort } = await started;
  return {
    child,
    port,
    metricsPort,
    lines,
    stderr: () => stderr,
    stop: () => stopGateway(child, exited),
  };
}
