import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startEchoServer, type EchoResponse, type EchoServer } from './echo-server.js';
import { compareRoundTrip, hostnameMatchesAsGo, roundTrip, type CapturedRoundTrip, type ExpectedResponse } from './round-trip.js';
import { backendOfPod, weightedDistributionError } from './weighted-distribution.js';

const echo = (overrides: Partial<EchoResponse> = {}): EchoResponse => ({
  path: '/',
  host: 'gw',
  method: 'GET',
  proto: 'HTTP/1.1',
  headers: {},
  httpPort: '3000',
  namespace: 'gateway-conformance-infra',
  ingress: '',
  service: '',
  pod: 'infra-backend-v1-abc-x0001',
  ...overrides,
});
const captured = (statusCode: number, body: EchoResponse | null, headers: Record<string, string[]> = {}, sentPath = '/'): CapturedRoundTrip => ({ statusCode, headers, echo: body, sentPath });
const v1: ExpectedResponse = { request: { path: '/' }, backend: 'infra-backend-v1', namespace: 'gateway-conformance-infra' };

test('a 200 from the expected backend matches; any other backend, namespace, path or status does not', () => {
  assert.equal(compareRoundTrip(v1, captured(200, echo())), null);
  assert.match(compareRoundTrip(v1, captured(200, echo({ pod: 'infra-backend-v2-abc-x0001' }))) ?? '', /expected a pod of infra-backend-v1/);
  assert.match(compareRoundTrip(v1, captured(200, echo({ namespace: 'other' }))) ?? '', /expected namespace/);
  assert.match(compareRoundTrip(v1, captured(200, echo({ path: '/x' }))) ?? '', /expected path \/, got \/x/);
  assert.match(compareRoundTrip(v1, captured(404, null)) ?? '', /expected status 200, got 404/);
  assert.match(compareRoundTrip(v1, captured(200, null)) ?? '', /not an echo backend's JSON/);
});

test('a 404 or 500 expectation compares only the status, as upstream does', () => {
  assert.equal(compareRoundTrip({ request: { path: '/' }, response: { statusCode: 500 }, backend: 'web-backend' }, captured(500, null)), null);
  assert.match(compareRoundTrip({ request: { path: '/' }, response: { statusCode: 500 } }, captured(200, echo())) ?? '', /expected status 500, got 200/);
});

test('request headers the backend must see, and must not see, are compared without case', () => {
  const expected: ExpectedResponse = {
    ...v1,
    request: { path: '/set' },
    expectedRequest: { path: '/set', headers: { 'X-Header-Add': 'a,b' }, absentHeaders: ['X-Header-Remove'] },
  };
  assert.equal(compareRoundTrip(expected, captured(200, echo({ path: '/set', headers: { 'X-Header-Add': ['a', 'b'] } }))), null);
  assert.match(compareRoundTrip(expected, captured(200, echo({ path: '/set', headers: { 'X-Header-Add': ['a'] } }))) ?? '', /X-Header-Add: a,b, backend saw a$/);
  assert.match(
    compareRoundTrip(expected, captured(200, echo({ path: '/set', headers: { 'X-Header-Add': ['a', 'b'], 'x-header-remove': ['v'] } }))) ?? '',
    /X-Header-Remove to be absent/,
  );
});

test('a redirect is compared by its Location: host, port (80 or none for http), scheme and path', () => {
  const expected: ExpectedResponse = { request: { path: '/hostname-redirect' }, response: { statusCode: 302 }, redirectRequest: { host: 'example.org' } };
  const redirect = (location: string, status = 302) => captured(status, null, { location: [location] }, '/hostname-redirect');
  assert.equal(compareRoundTrip(expected, redirect('http://example.org/hostname-redirect')), null);
  assert.equal(compareRoundTrip(expected, redirect('http://example.org:80/hostname-redirect')), null);
  assert.match(compareRoundTrip(expected, redirect('http://example.com/hostname-redirect')) ?? '', /redirect host example\.org, got example\.com/);
  assert.match(compareRoundTrip(expected, redirect('http://example.org:8080/hostname-redirect')) ?? '', /port 80 or none/);
  assert.match(compareRoundTrip(expected, redirect('https://example.org/hostname-redirect')) ?? '', /scheme http, got https/);
  assert.match(compareRoundTrip(expected, redirect('http://example.org/other')) ?? '', /redirect path \/hostname-redirect, got \/other/);
  assert.match(compareRoundTrip(expected, redirect('http://example.org/hostname-redirect', 301)) ?? '', /expected status 302, got 301/);
});

let echoServer: EchoServer;
let silent: Server;
before(async () => {
  echoServer = await startEchoServer({ namespace: 'ns', pod: 'web-backend-abc-x0001' }, '127.0.0.1');
  silent = createServer(() => undefined); // accepts and never answers: a slow gateway
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await echoServer.close();
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

test('a real round trip sends the Host and headers asked for and captures the echo', async () => {
  const result = await roundTrip(`127.0.0.1:${echoServer.port}`, { host: 'very.specific.com:1234', path: '/s1?x=1', headers: { Version: 'two' } }, { 'X-Set': 'v' }, 5_000);
  assert.equal(result.statusCode, 200);
  assert.equal(result.echo?.host, 'very.specific.com:1234');
  assert.equal(result.echo?.path, '/s1?x=1');
  assert.deepEqual(result.echo?.headers.Version, ['two']);
  assert.deepEqual(result.headers['x-set'], ['v']);
  assert.equal(compareRoundTrip({ request: { host: 'very.specific.com:1234', path: '/s1?x=1', headers: { Version: 'two' } }, backend: 'web-backend', namespace: 'ns' }, result), null);
});

test('a gateway that never answers fails the round trip at its timeout', async () => {
  const address = silent.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const started = Date.now();
  await assert.rejects(roundTrip(`127.0.0.1:${port}`, { path: '/' }, undefined, 300), /no answer .* within 300 ms/);
  assert.ok(Date.now() - started < 2_000);
});

test("a pod's backend is its name without the ReplicaSet hash and pod suffix", () => {
  assert.equal(backendOfPod('infra-backend-v1-7d9f8-x0001'), 'infra-backend-v1');
  assert.equal(backendOfPod('web-backend-abc-x0001'), 'web-backend');
});

test('a weighted split passes within 5 points and fails outside them, on an unweighted backend, or when a backend gets nothing', () => {
  const weights = { 'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0 };
  const pods = (v1Count: number, v2Count: number, v3Count = 0) => [
    ...Array<string>(v1Count).fill('infra-backend-v1-a-b'),
    ...Array<string>(v2Count).fill('infra-backend-v2-a-b'),
    ...Array<string>(v3Count).fill('infra-backend-v3-a-b'),
  ];
  assert.equal(weightedDistributionError(pods(360, 140), weights), null);
  assert.match(weightedDistributionError(pods(400, 100), weights) ?? '', /infra-backend-v1 got 0\.800/);
  assert.match(weightedDistributionError(pods(350, 140, 10), weights) ?? '', /expected 2 backends to receive traffic, got 3/);
  assert.match(weightedDistributionError(pods(500, 0), weights) ?? '', /infra-backend-v2 received no traffic/);
  assert.match(weightedDistributionError(['web-backend-a-b'], weights) ?? '', /unexpected pod/);
});

test("TLS hostnames are checked by Go's rule, as upstream's client does: a leading * stands for exactly one label", () => {
  assert.ok(hostnameMatchesAsGo('*.org', 'example.org'), 'Node alone would refuse this; Go accepts it');
  assert.ok(hostnameMatchesAsGo('*.wildcard.org', 'fourth-example.wildcard.org'));
  assert.ok(hostnameMatchesAsGo('Second-Example.org', 'second-example.org.'));
  assert.ok(!hostnameMatchesAsGo('*.org', 'a.example.org'));
  assert.ok(!hostnameMatchesAsGo('*', 'example.org'));
  assert.ok(!hostnameMatchesAsGo('*.org', 'org'));
  assert.ok(!hostnameMatchesAsGo('example.*', 'example.org'), 'a * elsewhere than the first label is literal');
});
