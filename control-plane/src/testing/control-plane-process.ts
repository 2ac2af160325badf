// Test and bench support: a real control-plane process (main.ts) on a port of its own, with what whole-system
// tests and benches read from outside: readiness, its peak memory (VmHWM), and how long a signal takes to stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFolderMailReader, registrationTokenIn } from './mail-folder.js';

export interface ControlPlaneProcess {
  child: ChildProcess;
  url: string;
  /** Registers a tenant through both steps (the link's token read from the process's folder mailer). */
  registerTenant(tenantName: string, clientAddress?: string): Promise<RegisteredTenant>;
  /** Resident memory now and at its peak, in bytes (Linux /proc). */
  memory(): { rss: number; peak: number };
  /** Sends `signal` and resolves when the process exited, with how long that took. */
  stop(signal?: NodeJS.Signals): Promise<{ exitMs: number; code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

export interface RegisteredTenant {
  id: string;
  /** The platform token. */
  token: string;
  gatewayApiKey: string;
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

/**
 * Starts main.ts with `env` (PORT chosen here; MAIL_DIR a new folder unless given) and waits for /healthz;
 * throws if it exits first.
 */
export async function startControlPlaneProcess(env: Record<string, string>): Promise<ControlPlaneProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  const mailDir = env.MAIL_DIR ?? mkdtempSync(join(tmpdir(), 'novagate-cp-mail-'));
  const mail = createFolderMailReader(mailDir);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', METRICS_PORT: '0', ...env, MAIL_DIR: mailDir, PORT: String(port) },
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
  const post = async (path: string, body: unknown, clientAddress: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    child,
    url,
    async registerTenant(tenantName, clientAddress = '127.0.0.1') {
      const email = `${tenantName.toLowerCase().replace(/[^a-z0-9]/g, '')}-${Math.random().toString(36).slice(2)}@example.com`;
      const started = await post('/auth/register', { email, password: 'process password 123', tenantName }, clientAddress);
      if (started.status !== 202) throw new Error(`registration answered ${started.status}`);
      const token = registrationTokenIn(await mail.waitFor(email));
      if (token === null) throw new Error('the registration mail holds no link');
      const confirmed = await post('/auth/register/confirm', { token }, clientAddress);
      if (confirmed.status !== 201) throw new Error(`registration confirm answered ${confirmed.status}`);
      const body = confirmed.body as { tenant: { id: string }; token: string; gatewayApiKey: string };
      return { id: body.tenant.id, token: body.token, gatewayApiKey: body.gatewayApiKey };
    },
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
