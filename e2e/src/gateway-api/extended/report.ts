// Pure: the report section of NovaGate's own Extended checks, printed after the Core outcomes and never part of the
// ConformanceReport: these are not upstream's tests, and the GatewayClass claims none of these features.
export type ExtendedOutcome =
  | { feature: string; result: 'passed' }
  | { feature: string; result: 'failed'; reason: string }
  | { feature: string; result: 'skipped'; reason: string };

export const EXTENDED_SECTION_TITLE = "NovaGate's own Extended checks (not upstream's tests; the class claims none of these features)";

/** The section: its title, one PASS/FAIL/SKIP line per feature (failures with their first unmet expectation), a tally. */
export function renderExtendedSection(outcomes: readonly ExtendedOutcome[]): string {
  const count = (result: ExtendedOutcome['result']) => outcomes.filter((outcome) => outcome.result === result).length;
  const lines = outcomes.map((outcome) =>
    outcome.result === 'passed' ? `PASS ${outcome.feature}` : `${outcome.result === 'failed' ? 'FAIL' : 'SKIP'} ${outcome.feature}: ${outcome.reason}`,
  );
  return [EXTENDED_SECTION_TITLE, ...lines, `${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`].join('\n');
}

/** Whether the own checks fail the run: any failure does, as a Core failure does. */
export const extendedChecksFailed = (outcomes: readonly ExtendedOutcome[]): boolean => outcomes.some((outcome) => outcome.result === 'failed');
