import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXTENDED_SECTION_TITLE, extendedChecksFailed, renderExtendedSection } from './report.js';

test("the own checks' section says they are not upstream's tests, with one line per feature and a tally", () => {
  const text = renderExtendedSection([
    { feature: 'HTTPRouteCORS', result: 'passed' },
    { feature: 'HTTPRouteRequestMirror', result: 'failed', reason: 'no copy at infra-backend-v2' },
    { feature: 'HTTPRouteMethodMatching', result: 'skipped', reason: 'not in CONFORMANCE_TESTS' },
  ]);
  assert.equal(
    text,
    [
      "NovaGate's own Extended checks (not upstream's tests; the class claims none of these features)",
      'PASS HTTPRouteCORS',
      'FAIL HTTPRouteRequestMirror: no copy at infra-backend-v2',
      'SKIP HTTPRouteMethodMatching: not in CONFORMANCE_TESTS',
      '1 passed, 1 failed, 1 skipped',
    ].join('\n'),
  );
  assert.ok(text.startsWith(EXTENDED_SECTION_TITLE));
});

test('a failed own check fails the run; passed and skipped ones do not', () => {
  assert.equal(extendedChecksFailed([{ feature: 'A', result: 'passed' }, { feature: 'B', result: 'skipped', reason: 'x' }]), false);
  assert.equal(extendedChecksFailed([{ feature: 'A', result: 'passed' }, { feature: 'B', result: 'failed', reason: 'x' }]), true);
  assert.equal(extendedChecksFailed([]), false);
});
