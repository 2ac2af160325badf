import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LOG_ENTRIES_PER_BATCH as MAX_BATCH } from '../protocol/index.js';
import { createTelemetryShipper } from './telemetry-shipper.js';

const entry = (i: number, status = 200) => ({
  requestId: `req-${i}`,
  method: 'GET',
  pathTemplate: '/users/:id',
  status,
  latencyMs: 1.5,
  route: 'get-user',
});

test('entries go out in batches of at most 500, oldest first, with the path template only', () => {
  const sent: { type: string; entries?: { requestId: string; pathTemplate: string }[] }[] = [];
  const shipper = createTelemetryShipper({ send: (m) => (sent.push(m as (typeof sent)[number]), true), onDropped: () => undefined, serviceOfRoute: () => 'users' });
  for (let i = 0; i < 1_200; i++) shipper.record(entry(i));
  shipper.flush();
  assert.deepEqual(sent.map((m) => m.entries?.length), [MAX_BATCH, MAX_BATCH, 200]);
  assert.equal(sent[0]?.entries?.[0]?.requestId, 'req-0');
  assert.equal(sent[2]?.entries?.at(-1)?.requestId, 'req-1199');
  assert.equal(shipper.buffered(), 0);
});

test('while the control plane is away the buffer is bounded: the oldest entries are dropped and counted', () => {
  let connected = false;
  let dropped = 0;
  const sent: { entries: { requestId: string }[] }[] = [];
  const shipper = createTelemetryShipper({
    send: (m) => {
      if (!connected) return false;
      sent.push(m as (typeof sent)[number]);
      return true;
    },
    capacity: 100,
    onDropped: (n) => (dropped += n),
    serviceOfRoute: () => undefined,
  });
  for (let i = 0; i < 250; i++) shipper.record(entry(i));
  shipper.flush();
  assert.equal(shipper.buffered(), 100);
  assert.equal(dropped, 150);
  connected = true;
  shipper.flush();
  assert.deepEqual(sent.flatMap((m) => m.entries.map((e) => e.requestId)), Array.from({ length: 100 }, (_, i) => `req-${150 + i}`));
});

test('upstream failures become error events counted per code and service, strings capped at 256', () => {
  const sent: { type: string; events?: { code: string; service: string; count: number }[]; entries?: { requestId: string }[] }[] = [];
  const shipper = createTelemetryShipper({ send: (m) => (sent.push(m as (typeof sent)[number]), true), onDropped: () => undefined, serviceOfRoute: () => 'users' });
  shipper.record(entry(1, 502));
  shipper.record(entry(2, 504));
  shipper.record(entry(3, 504));
  shipper.record(entry(4, 404));
  shipper.record({ ...entry(5), requestId: 'x'.repeat(300) });
  shipper.flush();
  const errors = sent.find((m) => m.type === 'errors');
  assert.deepEqual(errors?.events?.map(({ code, service, count }) => ({ code, service, count })), [
    { code: 'upstream_error', service: 'users', count: 1 },
    { code: 'upstream_timeout', service: 'users', count: 2 },
  ]);
  assert.equal(sent[0]?.entries?.[4]?.requestId.length, 256);
});

test('an upstream failure with a known cause is counted under its cause class, and the cause never rides in a log entry', () => {
  const sent: { type: string; events?: { code: string; service: string; count: number }[]; entries?: Record<string, unknown>[] }[] = [];
  const shipper = createTelemetryShipper({ send: (m) => (sent.push(m as (typeof sent)[number]), true), onDropped: () => undefined, serviceOfRoute: () => 'users' });
  shipper.record({ ...entry(1, 502), upstreamCause: 'connection_refused' });
  shipper.record({ ...entry(2, 502), upstreamCause: 'connection_refused' });
  shipper.record({ ...entry(3, 504), upstreamCause: 'timeout' });
  shipper.record(entry(4, 502));
  // A cause on a status the gateway did not make for an upstream failure is no error event.
  shipper.record({ ...entry(5, 200), upstreamCause: 'reset' });
  shipper.flush();
  const errors = sent.find((m) => m.type === 'errors');
  assert.deepEqual(errors?.events?.map(({ code, service, count }) => ({ code, service, count })), [
    { code: 'connection_refused', service: 'users', count: 2 },
    { code: 'timeout', service: 'users', count: 1 },
    { code: 'upstream_error', service: 'users', count: 1 },
  ]);
  const logs = sent.find((m) => m.type === 'logs');
  assert.ok(logs?.entries?.every((shipped) => !('upstreamCause' in shipped)));
});

test("an error event names the service the request went to (a split route's chosen backend), not the route's", () => {
  const sent: { type: string; events?: { code: string; service: string; count: number }[] }[] = [];
  const shipper = createTelemetryShipper({ send: (m) => (sent.push(m as (typeof sent)[number]), true), onDropped: () => undefined, serviceOfRoute: () => undefined });
  shipper.record({ ...entry(1, 502), upstreamCause: 'connection_refused', service: 'users-v2' });
  shipper.record({ ...entry(2, 502), upstreamCause: 'connection_refused', service: 'users' });
  shipper.record({ ...entry(3, 502), upstreamCause: 'connection_refused', service: 'users-v2' });
  shipper.flush();
  const errors = sent.find((m) => m.type === 'errors');
  assert.deepEqual(errors?.events?.map(({ code, service, count }) => ({ code, service, count })), [
    { code: 'connection_refused', service: 'users-v2', count: 2 },
    { code: 'connection_refused', service: 'users', count: 1 },
  ]);
  const logs = sent.find((m) => m.type === 'logs') as unknown as { entries: Record<string, unknown>[] };
  assert.equal(logs.entries[0]?.service, undefined, 'the service does not ride in a shipped log entry');
});
