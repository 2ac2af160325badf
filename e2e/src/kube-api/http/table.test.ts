import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './table.js';

test('ages print the way kubectl shows them', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [119, '119s'],
    [150, '2m30s'],
    [600, '10m'],
    [3 * 3600 + 120, '3h2m'],
    [30 * 3600, '30h'],
    [3 * 86400 + 3600, '3d1h'],
    [40 * 86400, '40d'],
  ];
  for (const [seconds, shown] of cases) assert.equal(humanDuration(seconds), shown, String(seconds));
});
