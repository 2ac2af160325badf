// Test and bench support: a real control-plane process (main.ts) on a port of its own, with what whole-system
// tests and benches read from outside: readiness, its peak memory (VmHWM), and how long a signal takes to stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneProcess {
  child: ChildProcess;
  url: string;
  /** Resident memory now and at its peak, in bytes (Linux /proc). */
  memory(): { rss: number; peak: number };
  /** Sends `signal` and resolves when the process exited, with how long that took. */
  stop(signal?: NodeJS.Signals): Promise<{ exitMs: number; code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

// From src/testing (tsx) or dist/testing (built): main beside this folder either way.
const MAIN = ['../main.ts', '../main.js'].map((file) => fileURLToPath(new URL(file, import.meta.url))).find((file) => existsSync(file)) as string;

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Starts main.ts with `env` (PORT chosen here) and waits for /healthz; throws if it exits first. */
export async function startControlPlaneProcess(env: Record<string, string>): Promise<ControlPlaneProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let up = false;
  for (let i = 0; i < 300 && child.exitCode === null && !up; i++) {
    up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`control plane did not start (exit code ${child.exitCode})`);
  }
  const pid = child.pid as number;
  return {
    child,
    url,
    memory: () => ({ rss: statusKiB(pid, 'VmRSS'), peak: statusKiB(pid, 'VmHWM') }),
    async stop(signal = 'SIGTERM') {
      const started = performance.now();
      if (child.exitCode !== null || child.signalCode !== null) return { exitMs: 0, code: child.exitCode, signal: child.signalCode };
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      child.kill(signal);
      const [code, bySignal] = await exited;
      return { exitMs: performance.now() - started, code, signal: bySignal };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
