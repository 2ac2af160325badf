// Runs NovaGate's own Extended checks against a started cluster: every check's routes applied in one go (each has
// its own hostname), the checks side by side, each with its own deadline, then the routes deleted. Selection works
// like CONFORMANCE_TESTS (by feature name); outcomes are reported apart from the ConformanceReport.
import type { Cluster } from '../harness.js';
import { Unmet, type CheckContext } from '../expectations.js';
import type { ExtendedCheck } from './extended-check.js';
import type { ExtendedOutcome } from './report.js';

export interface ExtendedRunSettings {
  /** A feature runs when `only` is empty or names it. */
  only: readonly string[];
  /** The context of a check with its deadline (the Core checks' settings). */
  contextFor(deadline: number): CheckContext;
  timeoutMs: number;
  log(line: string): void;
}

/** What the run needs of the cluster: to apply and delete the routes, and the echo pods' request log. */
export type ExtendedCluster = Pick<Cluster, 'applyObjects' | 'deleteObjects' | 'echoRequests'>;

export async function runExtendedChecks(cluster: ExtendedCluster, checks: readonly ExtendedCheck[], settings: ExtendedRunSettings): Promise<ExtendedOutcome[]> {
  const selected = checks.filter((check) => settings.only.length === 0 || settings.only.includes(check.feature));
  const skipped: ExtendedOutcome[] = checks.filter((check) => !selected.includes(check)).map((check) => ({ feature: check.feature, result: 'skipped', reason: 'not in CONFORMANCE_TESTS' }));
  if (selected.length === 0) return skipped;
  const routes = selected.flatMap((check) => check.routes);
  const started = Date.now();
  try {
    await cluster.applyObjects(routes);
    const deadline = Date.now() + settings.timeoutMs;
    const outcomes = await Promise.all(
      selected.map(async (check): Promise<ExtendedOutcome> => {
        const checkStarted = Date.now();
        let outcome: ExtendedOutcome;
        try {
          await check.run({ ...settings.contextFor(deadline), echoRequests: () => cluster.echoRequests() });
          outcome = { feature: check.feature, result: 'passed' };
        } catch (error) {
          outcome = { feature: check.feature, result: 'failed', reason: error instanceof Unmet ? error.message : `error: ${error instanceof Error ? error.message : String(error)}` };
        }
        settings.log(`own Extended check ${outcome.result.toUpperCase()} ${check.feature} (${((Date.now() - checkStarted) / 1000).toFixed(1)} s)`);
        return outcome;
      }),
    );
    return [...outcomes, ...skipped];
  } catch (error) {
    // The routes could not be applied: every selected check fails with why, none is skipped or passed.
    const reason = `error: ${error instanceof Error ? error.message : String(error)}`;
    return [...selected.map((check): ExtendedOutcome => ({ feature: check.feature, result: 'failed', reason })), ...skipped];
  } finally {
    await cluster.deleteObjects(routes).catch((error: unknown) => settings.log(`deleting the own Extended checks' routes failed: ${String(error)}`));
    settings.log(`own Extended checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
