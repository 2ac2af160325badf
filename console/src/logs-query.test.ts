import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localInputToIso, logsPath, logsQuery, NO_FILTERS } from './logs-query.js';

// The tests read local times as UTC+1, whatever the machine's zone.
const plusOne = (value: string) => new Date(`${value}+01:00`);

test('the form becomes API parameters: trimmed status and route, local times as UTC instants', () => {
  assert.deepEqual(logsQuery(NO_FILTERS, plusOne), { ok: true, params: {} });
  assert.deepEqual(logsQuery({ status: ' 503 ', route: ' orders ', since: '2026-11-30T10:00', until: '2026-11-30T11:30:15' }, plusOne), {
    ok: true,
    params: { status: '503', route: 'orders', since: '2026-11-30T09:00:00.000Z', until: '2026-11-30T10:30:15.000Z' },
  });
});

test('a bad status, an unreadable time or since after until are errors on their fields', () => {
  assert.deepEqual(logsQuery({ ...NO_FILTERS, status: '5xx' }, plusOne), { ok: false, fields: { status: 'must be an HTTP status from 100 to 599' } });
  assert.deepEqual(logsQuery({ ...NO_FILTERS, status: '600' }, plusOne), { ok: false, fields: { status: 'must be an HTTP status from 100 to 599' } });
  assert.deepEqual(logsQuery({ ...NO_FILTERS, since: 'yesterday' }, plusOne), { ok: false, fields: { since: 'must be a date and time' } });
  assert.deepEqual(logsQuery({ ...NO_FILTERS, since: '2026-11-30T12:00', until: '2026-11-30T11:00' }, plusOne), {
    ok: false,
    fields: { until: 'must not be before since' },
  });
  assert.equal(localInputToIso('2026-02-30T10:00', () => new Date(Number.NaN)), null);
});

test('the path carries the parameters, the limit and the tail cursor', () => {
  assert.equal(logsPath('t1', { status: '500' }, { limit: 100 }), '/tenants/t1/request-logs?status=500&limit=100');
  assert.equal(logsPath('t1', { route: 'a b' }, { limit: 500, after: 'abc_-' }), '/tenants/t1/request-logs?route=a+b&limit=500&after=abc_-');
});
