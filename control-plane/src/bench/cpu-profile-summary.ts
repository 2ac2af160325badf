// `tsx src/bench/cpu-profile-summary.ts <file.cpuprofile> [fromUs toUs] [divisor]`: prints where a V8 CPU profile
// spent its time, optionally only between two monotonic timestamps (microseconds, as written by sync.bench.ts
// when BENCH_CPU_PROFILE_DIR is set) and divided by a count (e.g. writes) to give a CPU cost per operation.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, fromArg, toArg, divisorArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: cpu-profile-summary.ts <file.cpuprofile> [fromUs toUs] [divisor]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const from = fromArg === undefined ? -Infinity : Number(fromArg);
const to = toArg === undefined ? Infinity : Number(toArg);
const divisor = divisorArg === undefined ? 1 : Number(divisorArg);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** A short, stable label: the package for dependencies, the file for our own code, node: for the runtime. */
function where(url: string): string {
  if (url === '') return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const own = /\/(control-plane|gateway)\/(?:src|dist)\/(.*)$/.exec(url);
  return own === null ? url : `${own[1]}/${own[2]}`;
}

const selfUs = new Map<string, number>();
const byArea = new Map<string, number>();
const ownInclusive = new Map<string, number>();
let total = 0;
let idle = 0;
let time = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  time += delta;
  if (time < from || time > to) continue;
  const node = byId.get(profile.samples[i] as number);
  if (node === undefined) continue;
  total += delta;
  const name = node.callFrame.functionName || '(anonymous)';
  if (name === '(idle)') {
    idle += delta;
    continue;
  }
  const label = `${name} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  selfUs.set(label, (selfUs.get(label) ?? 0) + delta);
  const area = name.startsWith('(') ? name : where(node.callFrame.url);
  byArea.set(area, (byArea.get(area) ?? 0) + delta);
  // Inclusive time of our own functions (each counted once per sample, however deep the recursion).
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (!/\/(control-plane|gateway)\/(src|dist)\//.test(frame.url)) continue;
    const key = `${frame.functionName || '(anonymous)'} ${where(frame.url)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ownInclusive.set(key, (ownInclusive.get(key) ?? 0) + delta);
  }
}

const busy = total - idle;
const ms = (us: number) => (us / 1000 / divisor).toFixed(2).padStart(9);
const pct = (us: number) => `${((100 * us) / Math.max(busy, 1)).toFixed(1).padStart(5)}%`;
const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
const unit = divisor === 1 ? 'ms' : `ms per op (÷${divisor})`;
console.log(`window ${((total / 1000) | 0)} ms, busy ${ms(busy)} ${unit}, idle ${((100 * idle) / Math.max(total, 1)).toFixed(0)}%`);
console.log(`\nby area (${unit})`);
for (const [label, us] of top(byArea, 14)) console.log(`${ms(us)} ${pct(us)}  ${label}`);
console.log(`\nself time, top functions (${unit})`);
for (const [label, us] of top(selfUs, 20)) console.log(`${ms(us)} ${pct(us)}  ${label}`);
console.log(`\ninclusive time of NovaGate functions (${unit})`);
for (const [label, us] of top(ownInclusive, 20)) console.log(`${ms(us)} ${pct(us)}  ${label}`);
