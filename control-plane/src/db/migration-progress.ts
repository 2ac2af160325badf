// Progress of a long start-up migration: how many tenant schemas are done of how many, the rate and the time
// left, reported every N schemas or every few seconds, whichever comes first. Pure: the clock is a parameter.

export interface MigrationProgress {
  done: number;
  total: number;
  /** Schemas per second since the start; 0 before any time has passed. */
  ratePerSecond: number;
  /** Estimated seconds until the last schema, from the rate so far; null while unknown. */
  secondsLeft: number | null;
  elapsedSeconds: number;
}

export interface ProgressReporterOptions {
  total: number;
  /** Report after this many schemas since the last report. */
  everySchemas: number;
  /** Report when this long passed since the last report (checked as each schema finishes). */
  everyMs: number;
  now: () => number;
  report: (progress: MigrationProgress) => void;
}

export interface ProgressReporter {
  /** One more schema is done; reports when a threshold is crossed, and always for the last one. */
  schemaDone(): void;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function progressOf(done: number, total: number, elapsedMs: number): MigrationProgress {
  const elapsedSeconds = elapsedMs / 1000;
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  return {
    done,
    total,
    ratePerSecond: round(rate, 1),
    secondsLeft: rate > 0 ? Math.ceil((total - done) / rate) : null,
    elapsedSeconds: round(elapsedSeconds, 1),
  };
}

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const started = options.now();
  let done = 0;
  let lastReportedDone = 0;
  let lastReportedAt = started;
  return {
    schemaDone() {
      done += 1;
      const now = options.now();
      const due = done === options.total || done - lastReportedDone >= options.everySchemas || now - lastReportedAt >= options.everyMs;
      if (!due) return;
      lastReportedDone = done;
      lastReportedAt = now;
      options.report(progressOf(done, options.total, now - started));
    },
  };
}
