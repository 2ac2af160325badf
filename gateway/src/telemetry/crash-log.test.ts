import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs `body` in a child process with the crash log installed on a logger writing to stdout. */
function runChild(body: string): { status: number | null; stdout: string } {
  const script = `
    import { createLogger } from './logger.js';
    import { logCrashes } from './crash-log.js';
    const logger = createLogger({ level: 'info', output: process.stdout });
    logCrashes(logger);
    logger.info('before the crash');
    ${body}
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, stdout: child.stdout };
}

test('an uncaught exception is logged as JSON with what was buffered before it, and the process still exits non-zero', { timeout: 30_000 }, () => {
  const { status, stdout } = runChild(`setTimeout(() => { throw new Error('boom in a timer'); }, 5);`);
  assert.notEqual(status, 0, 'the exception is not swallowed');
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
  assert.equal(lines[0]?.msg, 'before the crash');
  const crash = lines.find((line) => line.msg === 'uncaught exception: the process exits');
  assert.ok(crash !== undefined, stdout);
  assert.equal(crash.origin, 'uncaughtException');
  assert.match(crash.detail ?? '', /boom in a timer/);
});

test('an unhandled rejection is logged too and still ends the process', { timeout: 30_000 }, () => {
  const { status, stdout } = runChild(`Promise.reject(new TypeError('nobody awaited this'));`);
  assert.notEqual(status, 0);
  assert.match(stdout, /"origin":"unhandledRejection".*nobody awaited this/);
});
