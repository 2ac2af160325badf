import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildReport, checkFeatureClaims, coreStatus, renderOutcomes, renderReport, SCOPE_NOTE, type TestOutcome } from './report.js';

const implementation = { organization: 'NovaGate', project: 'novagate', url: 'https://example.com/novagate', version: '0.1.0', contact: ['@novagate/maintainers'] };

test("the report has upstream's ConformanceReport shape and says it covers the Core HTTPRoute tests only", () => {
  const outcomes: TestOutcome[] = [
    { name: 'HTTPRouteSimpleSameNamespace', result: 'passed' },
    { name: 'HTTPRouteWeight', result: 'failed', reason: 'traffic split' },
    { name: 'HTTPRouteMatching', result: 'skipped', reason: 'not run' },
  ];
  const report = parse(renderReport(buildReport(implementation, outcomes, new Date('2026-11-30T04:00:00Z')))) as Record<string, unknown>;
  assert.equal(report.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(report.kind, 'ConformanceReport');
  assert.deepEqual(report.implementation, implementation);
  assert.equal(report.gatewayAPIVersion, 'v1.6.1');
  assert.equal(report.gatewayAPIChannel, 'standard');
  assert.equal(report.mode, 'default');
  assert.equal(report.date, '2026-11-30T04:00:00.000Z');
  const profiles = report.profiles as { name: string; summary: string; core: Record<string, unknown>; extended?: unknown }[];
  assert.equal(profiles.length, 1);
  assert.equal(profiles[0]!.name, 'GATEWAY-HTTP');
  assert.deepEqual(profiles[0]!.core, {
    result: 'failure',
    statistics: { Passed: 1, Skipped: 1, Failed: 1 },
    skippedTests: ['HTTPRouteMatching'],
    failedTests: ['HTTPRouteWeight'],
  });
  assert.equal(profiles[0]!.extended, undefined, 'no Extended test ran, so no extended status is claimed');
  assert.equal(profiles[0]!.summary, `Core tests failed with 1 test failures. ${SCOPE_NOTE}`);
  assert.match(SCOPE_NOTE, /26 Core HTTPRoute tests/);
});

test("the core result follows upstream's rule: any failure fails, else any skip is partial, else success", () => {
  assert.equal(coreStatus([{ name: 'A', result: 'passed' }]).result, 'success');
  assert.equal(coreStatus([{ name: 'A', result: 'passed' }, { name: 'B', result: 'skipped', reason: 'x' }]).result, 'partial');
  assert.equal(coreStatus([{ name: 'A', result: 'failed', reason: 'x' }, { name: 'B', result: 'skipped', reason: 'x' }]).result, 'failure');
  assert.deepEqual(Object.keys(coreStatus([{ name: 'A', result: 'passed' }])), ['result', 'statistics'], 'no empty test lists');
});

test('each failure is printed with its first unmet expectation', () => {
  assert.equal(
    renderOutcomes([
      { name: 'A', result: 'passed' },
      { name: 'B', result: 'failed', reason: 'Gateway x has an address; last seen: none' },
    ]),
    'PASS A\nFAIL B: Gateway x has an address; last seen: none',
  );
});

test('a claimed feature is proven only by a passed test needing it and no failed test needing it', () => {
  const tests = [
    { shortName: 'Simple', features: ['Gateway', 'HTTPRoute'] },
    { shortName: 'Grant', features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'] },
    { shortName: 'Tls', features: ['Gateway', 'HTTPRoute', 'TLSRoute'] },
  ];
  const allPassed: TestOutcome[] = tests.map((t) => ({ name: t.shortName, result: 'passed' }));
  assert.deepEqual(checkFeatureClaims(['Gateway', 'HTTPRoute', 'ReferenceGrant'], tests, allPassed), {
    unproven: [],
    beyondClaims: [{ name: 'Tls', features: ['TLSRoute'] }],
  });
  const grantFailed: TestOutcome[] = [allPassed[0]!, { name: 'Grant', result: 'failed', reason: 'x' }, allPassed[2]!];
  assert.deepEqual(checkFeatureClaims(['Gateway', 'HTTPRoute', 'ReferenceGrant'], tests, grantFailed).unproven, ['Gateway', 'HTTPRoute', 'ReferenceGrant']);
  assert.deepEqual(checkFeatureClaims(['HTTPRouteCORS'], tests, allPassed).unproven, ['HTTPRouteCORS'], 'no test here needs it: not proven');
  const skipped: TestOutcome[] = tests.map((t) => ({ name: t.shortName, result: 'skipped', reason: 'x' }));
  assert.deepEqual(checkFeatureClaims(['Gateway'], tests, skipped).unproven, ['Gateway'], 'skipped tests prove nothing');
});
