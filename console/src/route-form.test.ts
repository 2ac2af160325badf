import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeErrors } from './field-errors.js';
import { EMPTY_ROUTE_FORM, routeBodyOf, routeErrorRouting, routeFormOf } from './route-form.js';

const stored = {
  id: '0b7c4f1e-0000-4000-8000-000000000001',
  managedBy: 'api',
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  name: 'orders',
  service: 'orders-svc',
  paths: ['/orders/*', { type: 'RegularExpression', value: '/v[0-9]+/orders' }],
  methods: ['GET', 'POST'],
  hosts: ['api.example.com'],
  stripPrefix: false,
  auth: 'key-auth',
  rateLimit: { limit: 10, windowSeconds: 60, by: 'consumer' },
  cors: { allowOrigins: ['https://shop.example.com'] },
};

test('a stored route becomes its form and the form gives back the same route (typed paths as JSON on their line)', () => {
  const form = routeFormOf(stored);
  assert.equal(form.paths, '/orders/*\n{"type":"RegularExpression","value":"/v[0-9]+/orders"}');
  assert.deepEqual(form.methods, ['GET', 'POST']);
  assert.equal(form.hosts, 'api.example.com');
  assert.deepEqual(JSON.parse(form.advanced), { rateLimit: stored.rateLimit, cors: stored.cors });
  const read = routeBodyOf(form);
  assert.ok(read.ok);
  const { id, managedBy, createdAt, updatedAt, ...config } = stored;
  void [id, managedBy, createdAt, updatedAt];
  assert.deepEqual(read.body, config);
  assert.deepEqual(read.advancedKeys, ['rateLimit', 'cors']);
});

test('a new route sends what the fields say: no service when none is chosen, methods in the list order, blank lines dropped', () => {
  const read = routeBodyOf({ ...EMPTY_ROUTE_FORM, name: ' web ', paths: '/a\n\n /b ', methods: ['POST', 'GET'], hosts: '\n' });
  assert.deepEqual(read, { ok: true, body: { name: 'web', paths: ['/a', '/b'], methods: ['GET', 'POST'], hosts: [], auth: 'none', stripPrefix: false }, advancedKeys: [] });
});

test('a typed path that is not JSON and an advanced field that is not JSON are refused on their fields before any request', () => {
  const read = routeBodyOf({ ...EMPTY_ROUTE_FORM, name: 'x', paths: '/a\n{"type": "RegularExpression", value}', advanced: '{cors' });
  assert.equal(read.ok, false);
  assert.match(!read.ok ? (read.errors.paths ?? '') : '', /^line 2 is not valid JSON: /);
  assert.match(!read.ok ? (read.errors.advanced ?? '') : '', /^not valid JSON: /);
});

test("the API's details about a route land on its fields: a path entry, a host entry, an advanced key, the rest general", () => {
  const read = routeBodyOf({ ...EMPTY_ROUTE_FORM, name: 'x', paths: '/ok\norders', hosts: 'Bad_Host', advanced: '{"cors": {"allowOrigins": ["nope"]}}' });
  assert.ok(read.ok);
  const found = routeErrors(routeErrorRouting(read.body, read.advancedKeys), 'request is invalid', [
    { path: 'paths.1', message: "must start with '/'" },
    { path: 'hosts[0]', message: 'must be a lower-case hostname' },
    { path: 'cors.allowOrigins.0', message: 'must be an origin' },
    { path: 'listeners', message: 'unknown listener' },
    { path: '', message: 'route conflicts with route y' },
  ]);
  assert.deepEqual(found, {
    fields: { paths: "orders: must start with '/'", hosts: 'Bad_Host: must be a lower-case hostname', advanced: 'cors.allowOrigins.0: must be an origin' },
    general: ['listeners: unknown listener', 'route conflicts with route y'],
  });
});
