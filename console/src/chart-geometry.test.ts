import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartGeometry, chartSummary, errorRate, formatPercent } from './chart-geometry.js';

const bucket = (minute: number, requests: number, serverErrors = 0) => ({ start: `2026-11-30T10:0${minute}:00.000Z`, requests, clientErrors: 0, serverErrors });

test('bars are scaled to the busiest minute and placed one per slot; the error-rate line spans the full height for 100 %', () => {
  const geometry = chartGeometry([bucket(0, 0), bucket(1, 10, 10), bucket(2, 5, 1), bucket(3, 20)], 400, 100);
  assert.equal(geometry.maxRequests, 20);
  assert.deepEqual(
    geometry.bars.map((bar) => [bar.x, bar.y, bar.width, bar.height]),
    [
      [10, 100, 80, 0],
      [110, 50, 80, 50],
      [210, 75, 80, 25],
      [310, 0, 80, 100],
    ],
  );
  assert.equal(geometry.errorRatePoints, '50,100 150,0 250,80 350,100');
});

test('a window without requests draws no bar above zero and a flat error line (no division by zero)', () => {
  const geometry = chartGeometry([bucket(0, 0), bucket(1, 0)], 100, 50);
  assert.equal(geometry.maxRequests, 1);
  assert.deepEqual(geometry.bars.map((bar) => bar.height), [0, 0]);
  assert.equal(geometry.errorRatePoints, '25,50 75,50');
  assert.equal(errorRate({ requests: 0, serverErrors: 0 }), 0);
});

test('the text alternative states totals, the busiest minute and the error rate', () => {
  const summary = chartSummary([bucket(0, 2), bucket(1, 6, 3), bucket(2, 0)], (start) => start.slice(11, 16));
  assert.equal(summary, '8 requests in the last 3 minutes, at most 6 in a minute (10:01); 3 server errors (38 %).');
  assert.equal(chartSummary([bucket(0, 0)], String), 'No requests in the last 1 minutes.');
  assert.equal(formatPercent(0.0123), '1.2 %');
  assert.equal(formatPercent(0), '0 %');
});
