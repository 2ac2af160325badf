// The process-level safety net, such as it is: an exception nothing caught still ends the process (the
// cluster primary forks a new worker), because carrying on after one would hide the bug and serve from an
// unknown state. This only makes sure its cause reaches the JSON log, with what was buffered before it.
import type { Logger } from './logger.js';

/** Logs an uncaught exception or unhandled rejection just before Node ends the process; never keeps it alive. */
export function logCrashes(logger: Logger): void {
  process.on('uncaughtExceptionMonitor', (error: Error, origin: string) => {
    logger.error('uncaught exception: the process exits', {
      origin,
      error: error?.name ?? typeof error,
      detail: error?.stack ?? String(error),
    });
    logger.flush();
  });
}
