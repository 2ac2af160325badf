// `npm run conformance`: the 26 Core HTTPRoute conformance tests of Gateway API v1.6.1 against a real
// kube-apiserver, one after another, each with its own deadline; then the report, printed and written to a file.
// The NovaGate operator runs in-process with a fresh database from TEST_DATABASE_URL (without one, it does not run).
// After them, NovaGate's own Extended checks (extended/: our own routes, not upstream's tests), reported in a separate
// section and never in the ConformanceReport; a failure of either fails the run.
// Environment: CONFORMANCE_TEST_TIMEOUT_SECONDS (default 60), CONFORMANCE_REPORT (default conformance-report.yaml),
// CONFORMANCE_TESTS (comma-separated ShortNames or own Extended feature names to run; the others are reported skipped).
import { writeFileSync } from 'node:fs';
import { CORE_HTTPROUTE_TESTS } from './all-tests.js';
import { eventually, Unmet, type CheckContext } from './expectations.js';
import { EXTENDED_CHECKS } from './extended/all-checks.js';
import { extendedChecksFailed, renderExtendedSection, type ExtendedOutcome } from './extended/report.js';
import { runExtendedChecks } from './extended/run-checks.js';
import { CONTROLLER_NAME, startCluster, type Cluster } from './harness.js';
import { startNovaGateOperator, type RunningOperator } from './novagate-operator.js';
import { buildReport, checkFeatureClaims, renderOutcomes, renderReport, type TestOutcome } from './report.js';

const settings = { gatewayClassName: 'novagate', tenantNamespace: 'gateway-conformance-infra', tenantName: 'conformance' };
const timeoutMs = Number(process.env.CONFORMANCE_TEST_TIMEOUT_SECONDS ?? '60') * 1000;
const reportPath = process.env.CONFORMANCE_REPORT ?? 'conformance-report.yaml';
const only = (process.env.CONFORMANCE_TESTS ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');

const log = (line: string) => process.stderr.write(`[conformance ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function contextFor(cluster: Cluster, deadline: number): CheckContext {
  return { kube: cluster.kube, controllerName: CONTROLLER_NAME, deadline, pollMs: 250, consecutiveSuccesses: 3 };
}

/** Upstream's suite refuses to start until its GatewayClass is Accepted; here that is said, and the tests run anyway. */
async function gatewayClassAccepted(cluster: Cluster): Promise<string> {
  try {
    await eventually(contextFor(cluster, Date.now() + timeoutMs), `GatewayClass ${settings.gatewayClassName} is Accepted`, async () => {
      const gatewayClass = await cluster.kube.get<{ metadata: { generation?: number }; status?: { conditions?: { type: string; status: string; reason: string; observedGeneration?: number }[] } }>(
        'gateway.networking.k8s.io/v1',
        'GatewayClass',
        settings.gatewayClassName,
      );
      const accepted = gatewayClass?.status?.conditions?.find((condition) => condition.type === 'Accepted');
      return accepted?.status === 'True' && accepted.observedGeneration === gatewayClass?.metadata.generation
        ? { ok: true, value: undefined }
        : { ok: false, seen: JSON.stringify(gatewayClass?.status?.conditions ?? []) };
    });
    return 'GatewayClass Accepted';
  } catch (error) {
    return `GatewayClass not Accepted (${error instanceof Error ? error.message : String(error)}); upstream's suite would stop here, this run goes on so every test says what it lacks`;
  }
}

/** The features the GatewayClass claims in its status (read before the run's cluster stops). */
async function claimedFeatures(cluster: Cluster): Promise<string[]> {
  const gatewayClass = await cluster.kube.get<{ status?: { supportedFeatures?: { name: string }[] } }>('gateway.networking.k8s.io/v1', 'GatewayClass', settings.gatewayClassName);
  return (gatewayClass?.status?.supportedFeatures ?? []).map((feature) => feature.name);
}

async function main(): Promise<number> {
  const started = Date.now();
  const cluster = await startCluster(settings, log);
  const outcomes: TestOutcome[] = [];
  let extendedOutcomes: ExtendedOutcome[] = [];
  let operator: RunningOperator | null = null;
  let claimed: string[] = [];
  // Interrupted, the run still stops what it started: the operator (and drops its database), the API server.
  const stopOnSignal = () => {
    void (operator?.stop() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => cluster.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    operator = await startNovaGateOperator(cluster.kubeconfigPath, log);
    log(await gatewayClassAccepted(cluster));
    for (const test of CORE_HTTPROUTE_TESTS) {
      if (only.length > 0 && !only.includes(test.shortName)) {
        outcomes.push({ name: test.shortName, result: 'skipped', reason: 'not in CONFORMANCE_TESTS' });
        continue;
      }
      if (test.run === undefined) {
        outcomes.push({ name: test.shortName, result: 'skipped', reason: 'its checks are not written yet' });
        continue;
      }
      const testStarted = Date.now();
      try {
        await cluster.applyTestManifest(test.manifest);
        await test.run(contextFor(cluster, Date.now() + timeoutMs));
        outcomes.push({ name: test.shortName, result: 'passed' });
      } catch (error) {
        const reason = error instanceof Unmet ? error.message : `error: ${error instanceof Error ? error.message : String(error)}`;
        outcomes.push({ name: test.shortName, result: 'failed', reason });
      } finally {
        await cluster.deleteTestManifest(test.manifest).catch((error: unknown) => log(`cleaning up ${test.manifest} failed: ${String(error)}`));
      }
      const outcome = outcomes[outcomes.length - 1]!;
      log(`${outcome.result.toUpperCase()} ${test.shortName} (${((Date.now() - testStarted) / 1000).toFixed(1)} s)`);
    }
    extendedOutcomes = await runExtendedChecks(cluster, EXTENDED_CHECKS, { only, timeoutMs, log, contextFor: (deadline) => contextFor(cluster, deadline) });
    claimed = await claimedFeatures(cluster);
  } finally {
    await operator?.stop();
    await cluster.stop();
  }
  // DESIGN §11: the class lists exactly the features this run proves. A claim no passing test backs fails the run.
  const claims = checkFeatureClaims(claimed, CORE_HTTPROUTE_TESTS, outcomes);
  const claimLines = [
    `GatewayClass ${settings.gatewayClassName} status.supportedFeatures: ${claimed.length > 0 ? claimed.join(', ') : '(none)'}${claims.unproven.length > 0 ? `; NOT proven by this run: ${claims.unproven.join(', ')}` : '; each proven by passing tests here'}`,
    ...claims.beyondClaims.map((test) => `${test.name} also needs ${test.features.join(', ')}, which the class does not claim: upstream's suite would skip it; it ran here`),
  ];
  const report = renderReport(
    buildReport({ organization: 'NovaGate', project: 'novagate', url: 'https://github.com/novagate/novagate', version: process.env.npm_package_version ?? '0.1.0', contact: ['@novagate/maintainers'] }, outcomes, new Date()),
  );
  writeFileSync(reportPath, report);
  process.stdout.write(`${renderOutcomes(outcomes)}\n\n${claimLines.join('\n')}\n\n${renderExtendedSection(extendedOutcomes)}\n\n${report}`);
  log(`report written to ${reportPath}; the run took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // A partial run (CONFORMANCE_TESTS) proves fewer features; only a whole run fails on an unproven claim.
  return outcomes.some((outcome) => outcome.result === 'failed') || extendedChecksFailed(extendedOutcomes) || (only.length === 0 && claims.unproven.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`the run could not complete: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
