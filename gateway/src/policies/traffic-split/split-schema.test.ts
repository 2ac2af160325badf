// `backends` and `mirrors` on a route (DESIGN §10): what they accept, and every refusal naming its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../../config/validate.js';

const services = [
  { name: 'users', url: 'http://users:8080' },
  { name: 'users-v2', url: 'http://users-v2:8080' },
  { name: 'shadow', url: 'http://shadow:8080' },
];
const config = (route: Record<string, unknown>) => ({ services, routes: [{ name: 'r', paths: ['/x/*'], ...route }] });

function problems(input: unknown): { path: string; message: string }[] {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems;
}
const pathsOf = (input: unknown) => problems(input).map((problem) => problem.path);

test('backends, invalid entries, per-backend header edits and mirrors with percent are accepted; weight defaults to 1', () => {
  const result = validateGatewayConfig(
    config({
      backends: [
        { service: 'users', weight: 90, requestHeaders: { set: { 'x-canary': 'no' } } },
        { service: 'users-v2', responseHeaders: { add: { 'x-served-by': 'v2' } } },
        { invalid: true, weight: 0 },
      ],
      mirrors: [{ service: 'shadow', percent: 12.5 }, { service: 'users-v2' }],
    }),
  );
  assert.ok(result.ok, JSON.stringify(result.ok ? '' : result.problems));
  const route = result.value.routes[0];
  assert.equal(route?.backends?.[1]?.weight, 1);
  assert.equal(route?.backends?.[2]?.invalid, true);
  assert.equal(route?.mirrors?.[0]?.percent, 12.5);
});

test('a route with no service, backends or redirect is valid config (it answers 500), and so is a service-less redirect', () => {
  assert.ok(validateGatewayConfig(config({})).ok);
  assert.ok(validateGatewayConfig(config({ redirect: { scheme: 'https' } })).ok);
});

test('a backend naming an unknown service is refused at routes[0].backends[1].service', () => {
  const found = problems(config({ backends: [{ service: 'users' }, { service: 'nobody' }] }));
  assert.deepEqual(found.map((p) => p.path), ['routes[0].backends[1].service']);
  assert.match(found[0]?.message ?? '', /nobody/);
});

test('a mirror naming an unknown service is refused at routes[0].mirrors[0].service', () => {
  assert.deepEqual(pathsOf(config({ service: 'users', mirrors: [{ service: 'nobody' }] })), ['routes[0].mirrors[0].service']);
});

test('service and backends together are refused at routes[0].backends', () => {
  assert.deepEqual(pathsOf(config({ service: 'users', backends: [{ service: 'users-v2' }] })), ['routes[0].backends']);
});

test('redirect with backends, and redirect with mirrors, are refused naming the field', () => {
  assert.deepEqual(pathsOf(config({ redirect: { scheme: 'https' }, backends: [{ service: 'users' }] })), ['routes[0].backends']);
  assert.deepEqual(pathsOf(config({ redirect: { scheme: 'https' }, mirrors: [{ service: 'shadow' }] })), ['routes[0].mirrors']);
});

test('five mirrors are refused at routes[0].mirrors; an empty list too', () => {
  const five = Array.from({ length: 5 }, () => ({ service: 'shadow' }));
  const found = problems(config({ service: 'users', mirrors: five }));
  assert.deepEqual(found.map((p) => p.path), ['routes[0].mirrors']);
  assert.match(found[0]?.message ?? '', /at most 4/);
  assert.deepEqual(pathsOf(config({ service: 'users', mirrors: [] })), ['routes[0].mirrors']);
});

test('percent with more than 2 decimals, below 0 or above 100 is refused at routes[0].mirrors[0].percent', () => {
  for (const percent of [12.345, -1, 100.01, Number.NaN, '50']) {
    assert.deepEqual(pathsOf(config({ service: 'users', mirrors: [{ service: 'shadow', percent }] })), ['routes[0].mirrors[0].percent'], String(percent));
  }
  assert.ok(validateGatewayConfig(config({ service: 'users', mirrors: [{ service: 'shadow', percent: 0.01 }] })).ok);
});

test('a backend with both service and invalid, or neither, is refused at its service field', () => {
  assert.deepEqual(pathsOf(config({ backends: [{ service: 'users', invalid: true }] })), ['routes[0].backends[0].service']);
  assert.deepEqual(pathsOf(config({ backends: [{ weight: 3 }] })), ['routes[0].backends[0].service']);
});

test('an invalid backend with header edits is refused at its invalid field', () => {
  assert.deepEqual(pathsOf(config({ backends: [{ invalid: true, requestHeaders: { set: { a: 'b' } } }] })), ['routes[0].backends[0].invalid']);
});

test('weight -1, 1e7 and 1.5 are refused at routes[0].backends[0].weight', () => {
  for (const weight of [-1, 1e7, 1.5]) {
    assert.deepEqual(pathsOf(config({ backends: [{ service: 'users', weight }] })), ['routes[0].backends[0].weight'], String(weight));
  }
});

test('17 backends, an empty list and unknown fields are refused naming the field', () => {
  const many = Array.from({ length: 17 }, () => ({ service: 'users' }));
  assert.deepEqual(pathsOf(config({ backends: many })), ['routes[0].backends']);
  assert.deepEqual(pathsOf(config({ backends: [] })), ['routes[0].backends']);
  assert.ok(pathsOf(config({ backends: [{ service: 'users', port: 80 }] })).every((path) => path.startsWith('routes[0].backends[0]')));
  assert.ok(pathsOf(config({ service: 'users', mirrors: [{ service: 'shadow', fraction: 1 }] })).every((path) => path.startsWith('routes[0].mirrors[0]')));
});

test('a per-backend header edit may not set X-NovaGate-Mirror or Host; neither may the route', () => {
  const backend = pathsOf(config({ backends: [{ service: 'users', requestHeaders: { set: { 'X-NovaGate-Mirror': '1' } } }] }));
  assert.ok(backend.length > 0 && backend.every((path) => path.startsWith('routes[0].backends[0].requestHeaders')), backend.join());
  const route = pathsOf(config({ service: 'users', requestHeaders: { add: { 'x-novagate-mirror': '1' } } }));
  assert.ok(route.length > 0 && route.every((path) => path.startsWith('routes[0].requestHeaders')), route.join());
  const host = pathsOf(config({ backends: [{ service: 'users', requestHeaders: { set: { host: 'evil' } } }] }));
  assert.ok(host.length > 0 && host.every((path) => path.startsWith('routes[0].backends[0].requestHeaders')), host.join());
});
