// Standalone mode (CONFIG_FILE): the file is applied at start-up, then again when it changes and on SIGHUP.
// A file that cannot be read or parsed is counted and logged, and the last good config keeps serving.
import type { ConfigProblem } from '../config/index.js';
import { describeProblems, type ConfigStore } from '../pipeline/config-store.js';
import type { Logger } from '../telemetry/logger.js';
import { readConfigFile, watchConfigFile } from './config-file.js';

export interface StandaloneSourceOptions {
  file: string;
  maxConfigBytes: number;
  store: ConfigStore;
  logger: Logger;
  /** A re-read file could not be read or parsed (a config the store refuses is counted by the store). */
  onFileRejected(): void;
}

/** Serving the file (stop() ends the watching), or why the first read cannot start the gateway. */
export type StandaloneSource = { ok: true; stop(): void } | { ok: false; problems: ConfigProblem[] };

export async function startStandaloneSource(options: StandaloneSourceOptions): Promise<StandaloneSource> {
  const { file, maxConfigBytes, store, logger } = options;
  const first = readConfigFile(file, maxConfigBytes);
  const applied = first.ok ? await store.apply(first.value) : first;
  if (!applied.ok) return { ok: false, problems: applied.problems };
  const reload = (why: string) => {
    const read = readConfigFile(file, maxConfigBytes);
    if (!read.ok) {
      options.onFileRejected();
      logger.error('config rejected, the last good config keeps serving', { reason: why, problems: describeProblems(read.problems) });
      return;
    }
    void store.apply(read.value);
  };
  const stopWatching = watchConfigFile(file, () => reload('file changed'));
  // Kept until the process ends: without a listener, a SIGHUP during the drain would kill the process.
  process.on('SIGHUP', () => reload('SIGHUP'));
  return { ok: true, stop: stopWatching };
}
