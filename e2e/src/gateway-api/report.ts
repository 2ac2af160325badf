// The run's result in the shape of upstream's ConformanceReport (conformance/apis/v1, v1.6.1): implementation,
// gatewayAPIVersion, mode, and one GATEWAY-HTTP profile whose core status counts the tests run here. The summary
// says plainly that only the Core HTTPRoute tests ran, so the report never reads as the whole profile's result.
import { stringify } from 'yaml';

export type TestOutcome = { name: string; result: 'passed' } | { name: string; result: 'failed'; reason: string } | { name: string; result: 'skipped'; reason: string };

export interface Implementation {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
}

export interface ProfileStatus {
  result: 'success' | 'partial' | 'failure';
  statistics: { Passed: number; Skipped: number; Failed: number };
  skippedTests?: string[];
  failedTests?: string[];
}

export interface ConformanceReport {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'ConformanceReport';
  implementation: Implementation;
  date: string;
  gatewayAPIVersion: string;
  gatewayAPIChannel: string;
  mode: string;
  profiles: { name: string; summary: string; core: ProfileStatus; extended?: ProfileStatus & { supportedFeatures?: string[]; unsupportedFeatures?: string[] } }[];
}

export const SCOPE_NOTE = 'Covers the 26 Core HTTPRoute tests of the GATEWAY-HTTP profile only; the profile has other Core tests, which this run does not check.';

/** Upstream's result rule: any failure fails, else any skip is partial, else success. */
export function coreStatus(outcomes: readonly TestOutcome[]): ProfileStatus {
  const names = (result: TestOutcome['result']) => outcomes.filter((outcome) => outcome.result === result).map((outcome) => outcome.name).sort();
  const failed = names('failed');
  const skipped = names('skipped');
  const status: ProfileStatus = {
    result: failed.length > 0 ? 'failure' : skipped.length > 0 ? 'partial' : 'success',
    statistics: { Passed: names('passed').length, Skipped: skipped.length, Failed: failed.length },
  };
  if (skipped.length > 0) status.skippedTests = skipped;
  if (failed.length > 0) status.failedTests = failed;
  return status;
}

function summaryOf(status: ProfileStatus): string {
  const core =
    status.result === 'success'
      ? 'succeeded'
      : status.result === 'partial'
        ? `partially succeeded with ${status.statistics.Skipped} test skips`
        : `failed with ${status.statistics.Failed} test failures`;
  return `Core tests ${core}. ${SCOPE_NOTE}`;
}

export function buildReport(implementation: Implementation, outcomes: readonly TestOutcome[], now: Date, mode = 'default'): ConformanceReport {
  const core = coreStatus(outcomes);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    implementation,
    date: now.toISOString(),
    gatewayAPIVersion: 'v1.6.1',
    gatewayAPIChannel: 'standard',
    mode,
    profiles: [{ name: 'GATEWAY-HTTP', summary: summaryOf(core), core }],
  };
}

/** The report as upstream writes it: YAML. */
export function renderReport(report: ConformanceReport): string {
  return stringify(report, { lineWidth: 0 });
}

/** One line per test: PASS/FAIL/SKIP, its name, and for failures the first unmet expectation. */
export function renderOutcomes(outcomes: readonly TestOutcome[]): string {
  return outcomes
    .map((outcome) => (outcome.result === 'passed' ? `PASS ${outcome.name}` : `${outcome.result === 'failed' ? 'FAIL' : 'SKIP'} ${outcome.name}: ${outcome.reason}`))
    .join('\n');
}

export interface FeatureClaimCheck {
  /** Claimed features no passed test needs, or that a failed test needs: the claim is not proven. */
  unproven: string[];
  /** Tests that need a feature the class does not claim: upstream's suite would skip them (they ran here anyway). */
  beyondClaims: { name: string; features: string[] }[];
}

/** Whether the GatewayClass's supportedFeatures are proven by this run (DESIGN §11: only passing features are listed). */
export function checkFeatureClaims(
  claimed: readonly string[],
  tests: readonly { shortName: string; features: readonly string[] }[],
  outcomes: readonly TestOutcome[],
): FeatureClaimCheck {
  const resultOf = new Map(outcomes.map((outcome) => [outcome.name, outcome.result]));
  const neededBy = (result: TestOutcome['result']) =>
    new Set(tests.filter((test) => resultOf.get(test.shortName) === result).flatMap((test) => test.features));
  const proven = neededBy('passed');
  const broken = neededBy('failed');
  const claims = new Set(claimed);
  return {
    unproven: [...claims].filter((feature) => !proven.has(feature) || broken.has(feature)).sort(),
    beyondClaims: tests
      .map((test) => ({ name: test.shortName, features: test.features.filter((feature) => !claims.has(feature)) }))
      .filter((test) => test.features.length > 0),
  };
}
