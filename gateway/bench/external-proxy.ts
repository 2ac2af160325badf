// Starts a proxy binary of bench:gateway (nginx, HAProxy, Caddy) pinned to the proxy core with its config in a
// temporary directory, and waits until its port accepts connections. A missing binary is a skip, not a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { hasCommand } from '../src/testing/wrk.js';
import { PROXY_CPU, pinnedCommand } from './cpu-pinning.js';

export interface ExternalProxy {
  child: ChildProcess;
  port: number;
  /** Its temporary directory (config, logs), removed by the benchmark at the end. */
  dir: string;
}

/** A proxy that could not start: why, in a few words. */
export interface Skipped {
  skipped: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** The first of `candidates` found on PATH (or as an absolute path), or undefined. */
export function findBinary(...candidates: string[]): string | undefined {
  return candidates.find((candidate) => hasCommand(candidate));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Spawns `binary args` on the proxy core (output to `dir`/output.log) and resolves once `port` accepts. */
export async function startExternalProxy(
  binary: string,
  args: string[],
  port: number,
  dir: string,
  env: Record<string, string> = {},
): Promise<ExternalProxy | Skipped> {
  const out = openSync(join(dir, 'output.log'), 'a');
  const [command, pinnedArgs] = pinnedCommand(PROXY_CPU, binary, args);
  const child = spawn(command, pinnedArgs, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  closeSync(out);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await accepts(port)) return { child, port, dir };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  return { skipped: `did not start (exit code ${String(child.exitCode)}; see ${join(dir, 'output.log')})` };
}
