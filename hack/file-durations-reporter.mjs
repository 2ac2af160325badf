// A node --test reporter that prints, once the run ends, how long each test file took: the slowest 25 files with their
// seconds, and the total. It reports on timing only (pass/fail stays with the other reporter and the exit code).
//
// A file's time is the runner's own measure of the file (its child process, from start to exit: loading, compiling
// through tsx, top-level hooks and awaits included), which node reports as a test:complete event named after the file
// (its absolute path on node 20, its path from the working directory on node 22).
// Should a node version not report that event, the file's time is the sum of its top-level tests (nesting 0).
import { relative, resolve } from 'node:path';

const SHOWN = 25;

export default async function* fileDurations(source) {
  const wholeFile = new Map();
  const topLevelSum = new Map();
  for await (const event of source) {
    const data = event.data;
    if (!data?.file || data.nesting !== 0) continue;
    const ms = data.details?.duration_ms;
    if (typeof ms !== 'number') continue;
    if (event.type === 'test:complete' && resolve(data.name) === data.file) wholeFile.set(data.file, ms);
    else if (event.type === 'test:pass' || event.type === 'test:fail') topLevelSum.set(data.file, (topLevelSum.get(data.file) ?? 0) + ms);
  }
  const rows = [...new Set([...wholeFile.keys(), ...topLevelSum.keys()])]
    .map((file) => ({ file: relative(process.cwd(), file), ms: wholeFile.get(file) ?? topLevelSum.get(file) }))
    .sort((a, b) => b.ms - a.ms);
  if (rows.length === 0) return;
  const totalMs = rows.reduce((sum, row) => sum + row.ms, 0);
  const seconds = (ms) => (ms / 1000).toFixed(1).padStart(8);
  yield `\nslowest test files (${Math.min(SHOWN, rows.length)} of ${rows.length}), seconds:\n`;
  for (const row of rows.slice(0, SHOWN)) yield `${seconds(row.ms)}  ${row.file}\n`;
  yield `${seconds(totalMs)}  total of ${rows.length} files\n`;
}
