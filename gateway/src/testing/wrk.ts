// wrk, the load tool the benchmarks prefer (C, so it takes little of a small machine's CPU): whether it is
// installed, and one run of it with its figures read back. Shared by bench:gateway and bench:control-plane.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** One request of a rotation: its path (the URL's when absent) and headers. */
export interface WrkRequest {
  path?: string;
  headers: Record<string, string>;
}

export interface WrkOptions {
  connections: number;
  seconds: number;
  /** Headers of every request (when `requests` is not given). */
  headers?: Record<string, string>;
  /** Requests sent in turn, one after the other, instead of the same one each time. */
  requests?: WrkRequest[];
}

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

/** wrk's latency line for a percentile (`50`, `99`), in ms. */
function latencyMs(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\b`, 'm').exec(output);
  if (match === null) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/** A wrk Lua script that sends `requests` in turn (JSON string literals are valid Lua strings here: ASCII). */
function rotationScript(requests: WrkRequest[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'novagate-bench-wrk-')), 'requests.lua');
  const entries = requests.map(({ path, headers }) => {
    const headerTable = Object.entries(headers).map(([name, value]) => `[${JSON.stringify(name)}] = ${JSON.stringify(value)}`).join(', ');
    return `{ ${path === undefined ? 'nil' : JSON.stringify(path)}, { ${headerTable} } }`;
  });
  writeFileSync(
    file,
    `local requests = {\n${entries.join(',\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  local r = requests[i]\n  return wrk.format(nil, r[1], r[2])\nend\n`,
  );
  return file;
}

/** Runs wrk (one thread, with latency percentiles) against `url` and reads its figures. */
export function runWrk(url: string, options: WrkOptions): WrkResult {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency'];
  if (options.requests !== undefined) args.push('-s', rotationScript(options.requests));
  else for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const output = execFileSync('wrk', args, { encoding: 'utf8', timeout: (options.seconds + 30) * 1000 });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN),
    p50ms: latencyMs(output, '50'),
    p99ms: latencyMs(output, '99'),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0),
  };
}
