// CPU pinning for the benchmarks (Linux taskset): the process under test on one core, the load generator and
// the upstream on the other, so that the figures compare the proxies rather than who won the scheduler.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { hasCommand } from '../src/testing/wrk.js';

/** The core of the process under test and the core of everything else, when pinning is possible. */
export const PROXY_CPU = 0;
export const LOAD_CPU = 1;

export const canPin = process.platform === 'linux' && availableParallelism() >= 2 && hasCommand('taskset');

/** `command args` prefixed by `taskset -c <cpu>` (every process and thread it starts inherits the core). */
export function pinnedCommand(cpu: number, command: string, args: string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

/** Pins every thread of `pid` and of its descendants to `cpu` (for processes started without taskset). */
export function pinProcessTree(pid: number, cpu: number): void {
  if (!canPin) return;
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children === '' ? [] : children.split(' ')) pinProcessTree(Number(child), cpu);
  }
}

/** utime + stime of a process, all its threads and all its descendants, seconds (Linux; NaN elsewhere). */
export function cpuSecondsOfTree(pid: number): number {
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
