#!/usr/bin/env node
// Runs every *.test.ts below the given workspaces' src/ folders (or below the given test folders) with node's test runner (through tsx),
// one file at a time so that tests sharing PostgreSQL and Redis never race each other.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const roots = process.argv.slice(2);
// A workspace (its src/ folder) or any folder of tests below one (e2e/src/sync).
const files = roots.flatMap((root) => findTests(existsSync(join(root, 'src')) ? join(root, 'src') : root)).sort();
if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
// A test that hangs fails after this long instead of holding CI forever (the slowest real test takes ~1 min).
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '300000';
const durationsReporter = join(dirname(fileURLToPath(import.meta.url)), 'file-durations-reporter.mjs');
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`,
    // spec on stdout as before; the per-file durations (the slowest 25 and the total) on stderr once the run ends.
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${durationsReporter}`, '--test-reporter-destination=stderr',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
