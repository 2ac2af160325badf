// h2load (Debian's nghttp2-client), the HTTP/2 load tool of bench:gateway: many streams over a few TLS
// connections (ALPN h2), its per-request log read back for p50 and p99 (h2load itself prints no percentiles).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WrkResult } from '../src/testing/wrk.js';

export interface H2loadOptions {
  connections: number;
  /** Concurrent streams per connection. */
  streams: number;
  seconds: number;
  headers: Record<string, string>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

/** Runs h2load (one thread) against an https:// URL for `seconds` and reads its figures. */
export function runH2load(url: string, options: H2loadOptions): WrkResult {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-bench-h2load-'));
  const logFile = join(dir, 'requests.log');
  const args = ['-t1', `-c${options.connections}`, `-m${options.streams}`, `-D${options.seconds}`, '--log-file', logFile];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  try {
    const output = execFileSync('h2load', args, { encoding: 'utf8', timeout: (options.seconds + 30) * 1000 });
    // Log lines: start time (µs since epoch), status, elapsed µs.
    const elapsed: number[] = [];
    let non2xx = 0;
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      const [, status, micros] = line.split('\t');
      if (micros === undefined) continue;
      elapsed.push(Number(micros) / 1000);
      if (!(Number(status) >= 200 && Number(status) < 400)) non2xx++;
    }
    elapsed.sort((a, b) => a - b);
    return {
      rps: Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output)?.[1] ?? NaN),
      p50ms: percentile(elapsed, 50),
      p99ms: percentile(elapsed, 99),
      non2xx,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
