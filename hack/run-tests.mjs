#!/usr/bin/env node
// Runs every *.test.ts below the given workspaces' src/ folders (or below the given test folders) with node's test runner (through tsx),
// one file at a time so that tests sharing PostgreSQL and Redis never race each other.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachesPostgres } from './postgres-test-files.mjs';
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

// --postgres-only: only the files that can reach PostgreSQL (postgres-test-files.mjs), for a run on another PostgreSQL
// version: the others would prove again what the run on the first version proved.
const postgresOnly = process.argv.includes('--postgres-only');
const roots = process.argv.slice(2).filter((argument) => argument !== '--postgres-only');
// A workspace (its src/ folder) or any folder of tests below one (e2e/src/sync).
const found = roots.flatMap((root) => findTests(existsSync(join(root, 'src')) ? join(root, 'src') : root)).sort();
const files = postgresOnly ? found.filter((file) => reachesPostgres(file)) : found;
if (files.length === 0) {
  console.error(`no test files found under ${roots.join(', ')}${postgresOnly ? ' that reach PostgreSQL' : ''}`);
  process.exit(1);
}
if (postgresOnly) console.error(`--postgres-only: ${files.length} files reach PostgreSQL; ${found.length - files.length} that cannot are left out`);
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
