import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { randomBytes, randomInt } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { createLogger } from './logger.js';
import { createGatewayMetrics } from './metrics.js';

let upstream: TestUpstream;
let gateway: TestGateway;

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    services: [{ name: 'users', url: upstream.url }],
    routes: [
      { name: 'get-user', service: 'users', paths: ['/users/:id'], methods: ['GET'] },
      { name: 'v1', service: 'users', paths: ['/v1/*'] },
    ],
  });
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

async function send(method: string, path: string): Promise<number> {
  const req = httpRequest({ host: '127.0.0.1', port: gateway.port, method, path });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.resume();
  await once(res, 'end');
  return res.statusCode ?? 0;
}

/** Series of one metric family, as `name{labels}` strings. */
async function series(name: string): Promise<string[]> {
  const text = await gateway.metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`)).map((line) => line.slice(0, line.lastIndexOf(' ')));
}

test('1,000 requests with random paths and methods add no series beyond the routes, `unmatched` and `OTHER`', { timeout: 60_000 }, async () => {
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'FOO', 'PURGE', 'BREW', 'X-RANDOM'];
  for (let i = 0; i < 1000; i++) {
    const method = methods[randomInt(methods.length)] as string;
    const pick = randomInt(3);
    const path =
      pick === 0 ? `/users/${randomBytes(6).toString('hex')}` : pick === 1 ? `/v1/${randomBytes(6).toString('hex')}/x` : `/${randomBytes(8).toString('hex')}`;
    await send(method, path);
  }
  const requestSeries = await series('novagate_http_requests_total');
  const labelValues = (label: string) =>
    new Set(requestSeries.map((line) => new RegExp(`${label}="([^"]*)"`).exec(line)?.[1]));
  assert.deepEqual([...labelValues('route')].sort(), ['get-user', 'unmatched', 'v1']);
  assert.deepEqual([...labelValues('path')].sort(), ['/users/:id', '/v1/*', 'unmatched']);
  for (const method of labelValues('method')) assert.ok(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OTHER'].includes(method as string), method);
  // routes x templates x methods x statuses stays small whatever the traffic was
  assert.ok(requestSeries.length <= 3 * 6 * 2, `${requestSeries.length} series`);
  const before = requestSeries.length;
  for (let i = 0; i < 50; i++) await send('GET', `/${randomBytes(8).toString('hex')}?${randomBytes(4).toString('hex')}=1`);
  assert.equal((await series('novagate_http_requests_total')).length, before);
});

test('/users/12345?token=secret leaves neither 12345 in metrics nor secret in logs or metrics', { timeout: 60_000 }, async () => {
  assert.equal(await send('GET', '/users/12345?token=secret'), 200);
  const metricsText = await gateway.metrics.registry.metrics();
  const logs = gateway.logLines();
  assert.ok(!metricsText.includes('12345'));
  assert.ok(!metricsText.includes('secret'));
  assert.ok(!logs.join('\n').includes('12345'));
  assert.ok(!logs.join('\n').includes('secret'));
  const entry = logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'request').at(-1);
  assert.equal(entry?.pathTemplate, '/users/:id');
  assert.equal(entry?.route, 'get-user');
  assert.equal(entry?.status, 200);
  assert.equal(entry?.method, 'GET');
  assert.match(String(entry?.requestId), /^[0-9a-f-]{36}$/);
  assert.equal(typeof entry?.latencyMs, 'number');
  assert.deepEqual(Object.keys(entry ?? {}).sort(), ['latencyMs', 'level', 'method', 'msg', 'pathTemplate', 'requestId', 'route', 'status', 'time']);
});

test('the upstream duration and request duration histograms carry only bounded labels', { timeout: 60_000 }, async () => {
  await send('GET', '/users/1');
  const text = await gateway.metrics.registry.metrics();
  assert.match(text, /novagate_upstream_duration_seconds_count\{route="get-user"\} \d+/);
  assert.match(text, /novagate_http_request_duration_seconds_count\{route="get-user",path="\/users\/:id",method="GET"\} \d+/);
});

test('a blocked log output drops lines beyond the backlog and counts them instead of growing without end', () => {
  let dropped = 0;
  const written: string[] = [];
  const logger = createLogger({
    level: 'info',
    maxBacklog: 10,
    output: { write: (chunk: string) => (written.push(chunk), false), once: () => undefined },
    onDropped: (count) => (dropped += count),
  });
  logger.info('first');
  logger.flush(); // the output now reports backpressure and never drains
  for (let i = 0; i < 25; i++) logger.request({ requestId: String(i), method: 'GET', pathTemplate: '/x', status: 200, latencyMs: 1, route: 'r' });
  logger.flush();
  assert.equal(written.length, 1);
  assert.equal(dropped, 15);
});

test('request lines are valid JSON whatever characters the values hold', () => {
  let written = '';
  const logger = createLogger({ level: 'info', output: { write: (chunk: string) => ((written += chunk), true), once: () => undefined } });
  const odd = 'quote" backslash\\ newline\n tab\t é';
  logger.request({ requestId: 'r-1', method: 'GET', pathTemplate: odd, status: 200, latencyMs: 0.5, route: 'plain', consumer: odd });
  logger.flush();
  const entry = JSON.parse(written.trim()) as Record<string, unknown>;
  assert.equal(entry.pathTemplate, odd);
  assert.equal(entry.consumer, odd);
  assert.equal(entry.route, 'plain');
});

test('log lines carry the ISO time of the injected clock, milliseconds included, across seconds', () => {
  let nowMs = 0;
  let written = '';
  const logger = createLogger({ level: 'info', output: { write: (chunk) => ((written += chunk), true), once: () => undefined }, now: () => nowMs });
  const instants = [1_800_000_000_000, 1_800_000_000_007, 1_800_000_000_042, 1_800_000_000_999, 1_800_000_001_000, 1_800_000_061_305, 1_800_000_061_305, 0, 86_399_999];
  for (const instant of instants) {
    nowMs = instant;
    logger.request({ requestId: 'r', method: 'GET', pathTemplate: '/x', status: 200, latencyMs: 1, route: 'x' });
  }
  logger.flush();
  const times = written.trim().split('\n').map((line) => (JSON.parse(line) as { time: string }).time);
  assert.deepEqual(times, instants.map((instant) => new Date(instant).toISOString()));
});

test('a new config drops the series of the routes it no longer has, in every per-route metric', async () => {
  const metrics = createGatewayMetrics();
  for (const route of ['kept', 'removed']) {
    metrics.recordRequest(route, `/${route}`, 'GET', 200, 0.01);
    metrics.recordUpstream(route, 0.005);
    metrics.rateLimited(route);
    metrics.authFailure(route, 'expired');
    metrics.upstreamError(route, 'connection_refused');
  }
  metrics.recordRequest('unmatched', 'unmatched', 'GET', 404, 0.001);
  await metrics.retainRoutes(new Set(['kept']));
  const text = await metrics.registry.metrics();
  assert.doesNotMatch(text, /route="removed"/);
  for (const name of ['novagate_http_requests_total', 'novagate_http_request_duration_seconds_count', 'novagate_upstream_duration_seconds_count', 'novagate_rate_limited_total', 'novagate_auth_failures_total', 'novagate_upstream_errors_total']) {
    assert.match(text, new RegExp(`^${name}\\{[^}]*route="kept"`, 'm'), name);
  }
  assert.match(text, /novagate_http_requests_total\{route="unmatched"/);
  metrics.recordRequest('kept', '/kept', 'GET', 200, 0.01);
  assert.match(await metrics.registry.metrics(), /novagate_http_requests_total\{route="kept",path="\/kept",method="GET",status="200"\} 2/, 'kept series keep counting');
});

test('a new config drops the retry series of the services it no longer has', async () => {
  const metrics = createGatewayMetrics();
  for (const service of ['kept', 'removed']) {
    metrics.upstreamRetry(service, 'retried');
    metrics.upstreamRetry(service, 'budget_exhausted');
  }
  await metrics.retainServices(new Set(['kept']));
  const text = await metrics.registry.metrics();
  assert.doesNotMatch(text, /service="removed"/);
  assert.match(text, /^novagate_upstream_retries_total\{service="kept",outcome="retried"\} 1$/m);
  assert.match(text, /^novagate_upstream_retries_total\{service="kept",outcome="budget_exhausted"\} 1$/m);
});
