import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { configHash } from './config/index.js';
import { formatApiKey } from './protocol/index.js';
import { readConfigCacheFile } from './sync/config-cache.js';
import { deriveConfigCacheKey } from './sync/config-cache-seal.js';
import { runGatewayToExit, startGatewayProcess, writeConfigFile } from './testing/gateway-process.js';
import { startUpstream, type TestUpstream } from './testing/upstream.js';
import { signHs256 } from './testing/jwt-token.js';
import { freePort } from './testing/redis-server.js';
import { makeKey, signToken } from './testing/jwt-idp.js';

const SECRET = randomBytes(32).toString('hex');
const API_KEY = formatApiKey('00000000-0000-4000-8000-000000000000', 'a'.repeat(32));
let upstream: TestUpstream;
let slow: TestUpstream;

before(async () => {
  upstream = await startUpstream();
  slow = await startUpstream((req, res) => {
    req.resume();
    setTimeout(() => res.end('slow but done'), 800);
  });
});
after(async () => {
  await upstream.close();
  await slow.close();
});

const configWith = (path: string, service = upstream.url) => ({
  services: [{ name: 'up', url: service }],
  routes: [{ name: `route${path.replace(/\W/g, '-')}`, service: 'up', paths: [path] }],
});

async function statusOf(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`never happened: ${what}`);
}

test('an invalid config file stops start-up with a non-zero exit naming the offending path', { timeout: 60_000 }, async () => {
  const file = writeConfigFile({ services: [{ name: 'up', url: upstream.url }], routes: [{ name: 'r', service: 'up', paths: ['no-slash'] }] });
  const result = await runGatewayToExit({ CONFIG_FILE: file, PORT: '0', METRICS_PORT: '0' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /routes\[0\]\.paths\[0\]: path must start with '\/'/);
});

test('a config file that is not YAML, or missing, stops start-up with a clear error', { timeout: 60_000 }, async () => {
  const broken = writeConfigFile('services: [unclosed', 'gateway.yaml');
  const result = await runGatewayToExit({ CONFIG_FILE: broken, PORT: '0', METRICS_PORT: '0' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /not valid YAML/);
  const missing = await runGatewayToExit({ CONFIG_FILE: '/nonexistent/gateway.yaml', PORT: '0', METRICS_PORT: '0' });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /cannot read config file/);
});

test('bad environment stops start-up with one clear line and a non-zero exit', { timeout: 60_000 }, async () => {
  const file = writeConfigFile(configWith('/a'));
  const cases: [Record<string, string>, RegExp][] = [
    [{ CONFIG_FILE: file, JWT_SECRET: 'y'.repeat(31) }, /JWT_SECRET must be at least 32 characters/],
    [{}, /exactly one of CONTROL_PLANE_URL or CONFIG_FILE/],
    [{ CONFIG_FILE: file, CONTROL_PLANE_URL: 'wss://cp.example.com' }, /exactly one of CONTROL_PLANE_URL or CONFIG_FILE/],
    [{ CONTROL_PLANE_URL: 'wss://cp.example.com' }, /GATEWAY_API_KEY is required with CONTROL_PLANE_URL/],
    [{ CONTROL_PLANE_URL: 'https://cp.example.com', GATEWAY_API_KEY: API_KEY }, /CONTROL_PLANE_URL must be a wss:\/\/ URL/],
    [{ CONTROL_PLANE_URL: 'wss://cp.example.com', GATEWAY_API_KEY: 'not-a-key' }, /GATEWAY_API_KEY must be a gateway API key/],
    [{ CONTROL_PLANE_URL: 'wss://cp.example.com', GATEWAY_API_KEY: API_KEY, CONTROL_PLANE_CA_FILE: '/nonexistent/ca.pem' }, /CONTROL_PLANE_CA_FILE cannot be read/],
    [{ CONFIG_FILE: file, WORKERS: 'lots' }, /WORKERS must be a number from 1 to 256 or 'auto'/],
    [{ CONFIG_FILE: file, RATE_LIMIT_FAILURE_MODE: 'maybe' }, /RATE_LIMIT_FAILURE_MODE/],
    [{ CONFIG_FILE: file, LISTEN_ADDRESS: 'everywhere' }, /LISTEN_ADDRESS must be an IP address/],
    [{ CONFIG_FILE: file, GATEWAY_NAME: 'no-namespace' }, /GATEWAY_NAME must be '<namespace>\/<name>' of a Gateway/],
    [{ CONFIG_FILE: file, TLS_CERT_DIR: '/nonexistent/certs' }, /TLS_CERT_DIR cannot be read \(ENOENT\)/],
    [{ CONFIG_FILE: file, TRUSTED_PROXIES: '10.0.0.0/99' }, /TRUSTED_PROXIES/],
    [{ CONFIG_FILE: file, REDIS_URL: 'http://cache.example.com:6380' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/],
    [{ CONFIG_FILE: file, REDIS_URL: 'redis://cache.example.com:6379', REDIS_CA_FILE: file }, /REDIS_CA_FILE needs a rediss:\/\/ REDIS_URL/],
    [{ CONFIG_FILE: file, REDIS_URL: 'rediss://cache.example.com:6380', REDIS_CA_FILE: '/nonexistent/ca.pem' }, /REDIS_CA_FILE cannot be read/],
    [{ CONFIG_FILE: file, REDIS_URL: 'rediss://cache.example.com:6380', REDIS_CLIENT_CERT_FILE: file }, /REDIS_CLIENT_CERT_FILE and REDIS_CLIENT_KEY_FILE must be set together/],
    [{ CONFIG_FILE: file, CONFIG_CACHE_KEY: 'k'.repeat(31) }, /CONFIG_CACHE_KEY must be at least 32 characters/],
  ];
  await fourAtATime(cases, async ([env, expected]) => {
    const result = await runGatewayToExit({ PORT: '0', METRICS_PORT: '0', ...env });
    assert.notEqual(result.code, 0, JSON.stringify(env));
    assert.match(result.stderr, expected);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  });
});

/**
 * Runs `check` on every case, four at a time: each run is a gateway process that starts and exits, and a free place
 * is taken by the next case at once (no batch waits for its slowest run).
 */
async function fourAtATime<T>(cases: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < cases.length) await check(cases[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(4, cases.length) }, runner));
}

/** Runs the real entry with each environment (a few at a time) and asserts one line naming the problem and exit 1. */
async function assertRefused(cases: [Record<string, string>, RegExp][]): Promise<void> {
  await fourAtATime(cases, async ([env, expected]) => {
    const result = await runGatewayToExit({ PORT: '0', METRICS_PORT: '0', ...env });
    assert.equal(result.code, 1, JSON.stringify(env));
    assert.match(result.stderr, expected, JSON.stringify(env));
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('weak JWT_SECRET or JWT_ACCEPTED_SECRET values are refused at start-up with one line', { timeout: 120_000 }, async () => {
  const file = writeConfigFile(configWith('/a'));
  await assertRefused([
    [{ CONFIG_FILE: file, JWT_SECRET: 'x'.repeat(32) }, /^novagate gateway: invalid environment: JWT_SECRET is one repeated pattern/],
    [{ CONFIG_FILE: file, JWT_SECRET: 'abc'.repeat(16) }, /JWT_SECRET is one repeated pattern/],
    [{ CONFIG_FILE: file, JWT_SECRET: '31415926535897932384626433832795' }, /JWT_SECRET is too weak: about 106 bits/],
    [{ CONFIG_FILE: file, JWT_SECRET: SECRET, JWT_ACCEPTED_SECRET: 'a'.repeat(40) }, /JWT_ACCEPTED_SECRET is one repeated pattern/],
    [{ CONFIG_FILE: file, JWT_ACCEPTED_SECRET: SECRET }, /JWT_ACCEPTED_SECRET needs JWT_SECRET/],
  ]);
});

test('sizes, timeouts and MAX_CONNECTIONS must be positive integers; headers and body bounds fit in the request bound', { timeout: 120_000 }, async () => {
  const file = writeConfigFile(configWith('/a'));
  const cases: [Record<string, string>, RegExp][] = [];
  for (const name of ['MAX_BODY_BYTES', 'MAX_CONFIG_BYTES', 'HEADERS_TIMEOUT_MS', 'BODY_IDLE_TIMEOUT_MS', 'REQUEST_TIMEOUT_MS', 'MAX_CONNECTIONS']) {
    for (const value of ['-1', '-5', '0', 'lots', '1.5', '1e3']) cases.push([{ CONFIG_FILE: file, [name]: value }, new RegExp(`${name} must be a positive integer`)]);
  }
  cases.push([{ CONFIG_FILE: file, HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }, /HEADERS_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS/]);
  cases.push([{ CONFIG_FILE: file, BODY_IDLE_TIMEOUT_MS: '70000' }, /BODY_IDLE_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS/]);
  await assertRefused(cases);
});

test('CONTROL_PLANE_URL=ws:// is refused unless ALLOW_INSECURE_CONTROL_PLANE=true, which starts with a loud warning', { timeout: 60_000 }, async () => {
  await assertRefused([
    [{ CONTROL_PLANE_URL: 'ws://cp.example.com', GATEWAY_API_KEY: API_KEY }, /CONTROL_PLANE_URL must be wss:\/\/ \(ws:\/\/ sends the gateway API key in clear text/],
    [{ CONTROL_PLANE_URL: 'ws://cp.example.com', GATEWAY_API_KEY: API_KEY, ALLOW_INSECURE_CONTROL_PLANE: 'false' }, /CONTROL_PLANE_URL must be wss:\/\//],
    [{ CONTROL_PLANE_URL: 'ws://cp.example.com', GATEWAY_API_KEY: API_KEY, ALLOW_INSECURE_CONTROL_PLANE: 'maybe' }, /ALLOW_INSECURE_CONTROL_PLANE/],
  ]);
  // Nothing listens on port 9 of localhost: the gateway starts, keeps trying, and says loudly what it allowed.
  const gateway = await startGatewayProcess({ CONTROL_PLANE_URL: 'ws://127.0.0.1:9', GATEWAY_API_KEY: API_KEY, ALLOW_INSECURE_CONTROL_PLANE: 'true' });
  try {
    const warning = gateway.lines.map((line) => JSON.parse(line) as { level: string; msg: string }).find((entry) => entry.msg.startsWith('INSECURE'));
    assert.equal(warning?.level, 'warn');
    assert.match(warning.msg, /clear text/);
  } finally {
    await gateway.stop();
  }
});

test('a busy PORT or METRICS_PORT stops start-up with one line and no stack trace; a busy PORT a named gateway never serves does not', { timeout: 60_000 }, async () => {
  const busy = createServer();
  busy.listen(0);
  await once(busy, 'listening');
  const port = String((busy.address() as AddressInfo).port);
  try {
    const file = writeConfigFile(configWith('/a'));
    const ownedOnly = writeConfigFile({ ...configWith('/a'), listeners: [{ name: 'edge-http', port: await freePort(), protocol: 'HTTP', gateway: 'infra/edge' }] });
    await assertRefused([
      [{ CONFIG_FILE: file, PORT: port }, new RegExp(`^novagate gateway: cannot listen on PORT ${port}: address already in use\\n?$`)],
      [{ CONFIG_FILE: file, METRICS_PORT: port }, new RegExp(`cannot listen on METRICS_PORT ${port}: address already in use`)],
      [{ CONFIG_FILE: file, PORT: port, WORKERS: '2' }, new RegExp(`^novagate gateway: cannot listen on PORT ${port}: address already in use\\n?$`)],
      // Only other Gateways' listeners: this gateway still serves PORT, so a busy one stops it the same way.
      [{ CONFIG_FILE: ownedOnly, PORT: port }, new RegExp(`^novagate gateway: cannot listen on PORT ${port}: address already in use\\n?$`)],
      [{ CONFIG_FILE: ownedOnly, PORT: port, WORKERS: '2' }, new RegExp(`^novagate gateway: cannot listen on PORT ${port}: address already in use\\n?$`)],
    ]);
    // A named gateway never serves PORT: a busy one is no reason to stop.
    const named = await startGatewayProcess({ CONFIG_FILE: file, PORT: port, GATEWAY_NAME: 'infra/edge' });
    assert.equal(named.child.exitCode, null);
    assert.equal(await named.stop(), 0);
    const namedWorkers = await startGatewayProcess({ CONFIG_FILE: file, PORT: port, GATEWAY_NAME: 'infra/edge', WORKERS: '2' });
    assert.equal(await namedWorkers.stop(), 0);
  } finally {
    busy.close();
  }
});

test('the slow-client bounds set in the environment reach the proxy port', { timeout: 60_000 }, async () => {
  const gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), HEADERS_TIMEOUT_MS: '300', BODY_IDLE_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '1000' });
  try {
    const socket = connect(gateway.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nab');
    await once(socket, 'close');
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"code":"request_timeout"/);
  } finally {
    await gateway.stop();
  }
});

test('JWT_ACCEPTED_SECRET, JWT_ISSUER and JWT_AUDIENCE reach the jwt routes', { timeout: 60_000 }, async () => {
  const accepted = randomBytes(32).toString('base64');
  const file = writeConfigFile({ ...configWith('/a'), routes: [{ name: 'r', service: 'up', paths: ['/a'], auth: 'jwt' }] });
  const gateway = await startGatewayProcess({ CONFIG_FILE: file, JWT_SECRET: SECRET, JWT_ACCEPTED_SECRET: accepted, JWT_ISSUER: 'https://idp.example.com/', JWT_AUDIENCE: 'orders' });
  const exp = Math.floor(Date.now() / 1000) + 600;
  const claims = { sub: 'x', exp, iss: 'https://idp.example.com/', aud: ['billing', 'orders'] };
  const call = async (token: string) => {
    const response = await fetch(`http://127.0.0.1:${gateway.port}/a`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { error?: { reason?: string } };
    return response.status === 200 ? 'ok' : (body.error?.reason ?? String(response.status));
  };
  try {
    assert.equal(await call(signHs256(claims, SECRET)), 'ok');
    assert.equal(await call(signHs256(claims, accepted)), 'ok');
    assert.equal(await call(signHs256({ ...claims, iss: 'https://evil.example.com/' }, SECRET)), 'wrong_issuer');
    assert.equal(await call(signHs256({ ...claims, aud: 'billing' }, SECRET)), 'wrong_audience');
    assert.equal(await call(signHs256({ ...claims, iat: exp }, SECRET)), 'token_issued_in_future');
    assert.equal(await call(`${signHs256(claims, SECRET)}=`), 'bad_signature');
  } finally {
    await gateway.stop();
  }
});

test('a route with auth jwt is refused when the gateway has no JWT_SECRET', { timeout: 60_000 }, async () => {
  const file = writeConfigFile({ ...configWith('/a'), routes: [{ name: 'r', service: 'up', paths: ['/a'], auth: 'jwt' }] });
  const result = await runGatewayToExit({ CONFIG_FILE: file, PORT: '0', METRICS_PORT: '0' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /routes\[0\]\.auth: jwt needs JWT_SECRET/);
});

test('file change swaps the config, an invalid one is refused while the last good keeps serving, SIGHUP re-reads', { timeout: 60_000 }, async () => {
  const file = writeConfigFile(configWith('/a'), 'gateway.yaml');
  const gateway = await startGatewayProcess({ CONFIG_FILE: file, JWT_SECRET: SECRET });
  const base = `http://127.0.0.1:${gateway.port}`;
  const rejected = async () => {
    const text = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    return Number(/^novagate_config_rejected_total (\d+)/m.exec(text)?.[1]);
  };
  try {
    assert.equal(await statusOf(`${base}/a`), 200);
    assert.equal(await statusOf(`${base}/b`), 404);
    writeFileSync(file, JSON.stringify(configWith('/b')));
    await eventually(async () => (await statusOf(`${base}/b`)) === 200, 'the new config serves /b');
    assert.equal(await statusOf(`${base}/a`), 404);
    const afterSwap = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    assert.doesNotMatch(afterSwap, /route="route-a"/, 'the series of the removed route are gone');
    assert.match(afterSwap, /novagate_http_requests_total\{route="route-b"/);

    writeFileSync(file, 'routes: [{ name: broken, service: nowhere, paths: ["/c"] }]');
    await eventually(async () => (await rejected()) === 1, 'the invalid config is counted as rejected');
    assert.equal(await statusOf(`${base}/b`), 200, 'the last good config keeps serving');
    assert.ok(gateway.lines.some((line) => line.includes('routes[0].service')), 'the refusal names the path');

    gateway.child.kill('SIGHUP');
    await eventually(async () => (await rejected()) === 2, 'SIGHUP re-reads the file');
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    assert.match(metrics, /^novagate_config_version 2$/m);
    assert.match(metrics, /^novagate_control_plane_connected 0$/m);
  } finally {
    assert.equal(await gateway.stop(), 0);
  }
});

test('healthz, readyz and metrics answer on METRICS_PORT, not on the proxy port; the last good config is cached 0600, sealed', { timeout: 60_000 }, async () => {
  const cacheFile = join(mkdtempSync(join(tmpdir(), 'novagate-cache-')), 'last-good.json');
  const cacheKey = 'c'.repeat(16) + 'k'.repeat(16);
  const gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), CONFIG_CACHE_FILE: cacheFile, CONFIG_CACHE_KEY: cacheKey });
  try {
    assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(cacheFile, 'utf8'), /route-a/, 'the config is not stored in clear');
    const read = readConfigCacheFile(cacheFile, deriveConfigCacheKey(cacheKey), 'default');
    assert.ok(read.found && 'entry' in read, JSON.stringify(read));
    const cached = read.entry;
    assert.equal(cached.tenant, 'default');
    assert.equal(cached.version, 1);
    assert.equal(cached.hash, configHash(cached.config));
    assert.equal(cached.config.routes.length, 1);
    const ops = `http://127.0.0.1:${gateway.metricsPort}`;
    assert.equal(await statusOf(`${ops}/healthz`), 200);
    const ready = await fetch(`${ops}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    const metrics = await fetch(`${ops}/metrics`);
    assert.match(await metrics.text(), /# TYPE novagate_http_requests_total counter/);
    assert.equal(await statusOf(`http://127.0.0.1:${gateway.port}/metrics`), 404);
    assert.ok(gateway.lines.some((line) => line.includes('rate limits are counted in memory, per process')));
  } finally {
    await gateway.stop();
  }
});

test('listeners by owner in a real process: without GATEWAY_NAME, PORT serves beside other Gateways’ listeners; with it and none of its own, nothing is open and /readyz is 503', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const theirs = await freePort();
  const config = { ...configWith('/a'), listeners: [{ name: 'edge-http', port: theirs, protocol: 'HTTP', gateway: 'infra/edge' }] };
  const unowned = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(config), PORT: String(port) });
  try {
    assert.equal(await statusOf(`http://127.0.0.1:${port}/a`), 200, 'the implicit listener on PORT serves the route');
    assert.equal(await fetch(`http://127.0.0.1:${theirs}/a`).then(() => 'open', () => 'refused'), 'refused');
    assert.equal((await fetch(`http://127.0.0.1:${unowned.metricsPort}/readyz`)).status, 200);
  } finally {
    await unowned.stop();
  }
  const named = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), PORT: String(port), GATEWAY_NAME: 'infra/edge' });
  try {
    assert.equal(await fetch(`http://127.0.0.1:${port}/a`).then(() => 'open', () => 'refused'), 'refused', 'no implicit listener for a named gateway');
    const ready = await fetch(`http://127.0.0.1:${named.metricsPort}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'not_ready', configVersion: 1, listeners: 0, draining: false, redis: 'not configured' });
    assert.equal(named.lines.filter((line) => line.includes('no listener to serve')).length, 1);
  } finally {
    await named.stop();
  }
  const namedWorkers = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), PORT: String(port), GATEWAY_NAME: 'infra/edge', WORKERS: '2' });
  try {
    const body = async () => (await (await fetch(`http://127.0.0.1:${namedWorkers.metricsPort}/readyz`)).json()) as { status: string; workersReady: number; workersServing: number };
    await eventually(async () => (await body()).workersReady === 2, 'both workers started');
    assert.deepEqual(await body(), { status: 'not_ready', workersReady: 2, workersServing: 0, workers: 2 });
  } finally {
    assert.equal(await namedWorkers.stop(), 0);
  }
});

test('standalone without CONFIG_CACHE_KEY keeps no config cache and says so at start-up', { timeout: 60_000 }, async () => {
  const cacheFile = join(mkdtempSync(join(tmpdir(), 'novagate-cache-')), 'last-good.json');
  const gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), CONFIG_CACHE_FILE: cacheFile });
  try {
    assert.equal(await statusOf(`http://127.0.0.1:${gateway.port}/a`), 200);
    assert.ok(gateway.lines.some((line) => line.includes('CONFIG_CACHE_KEY is unset: no config cache is kept')), gateway.lines.join('\n'));
    assert.throws(() => statSync(cacheFile), /ENOENT/);
  } finally {
    await gateway.stop();
  }
});

test('SIGTERM lets an in-flight request finish, refuses new connections, and exits 0', { timeout: 60_000 }, async () => {
  const gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/slow', slow.url)) });
  const inFlight = fetch(`http://127.0.0.1:${gateway.port}/slow`).then(async (response) => ({
    status: response.status,
    body: await response.text(),
  }));
  await eventually(async () => slow.received.length > 0, 'the slow request reached the upstream');
  const exited = gateway.stop();
  assert.deepEqual(await inFlight, { status: 200, body: 'slow but done' });
  assert.equal(await exited, 0);
  await assert.rejects(fetch(`http://127.0.0.1:${gateway.port}/slow`, { signal: AbortSignal.timeout(2_000) }));
});

test('WORKERS=2 serves through node:cluster workers and the primary aggregates their metrics', { timeout: 60_000 }, async () => {
  const gateway = await startGatewayProcess({ CONFIG_FILE: writeConfigFile(configWith('/a')), WORKERS: '2' });
  const readyWorkers = async () =>
    ((await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/readyz`)).json()) as { workersReady: number }).workersReady;
  try {
    await eventually(async () => (await readyWorkers()) === 2, 'both workers are ready');
    const ready = await fetch(`http://127.0.0.1:${gateway.metricsPort}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { workersServing: number }).workersServing, 2);
    for (let i = 0; i < 20; i++) assert.equal(await statusOf(`http://127.0.0.1:${gateway.port}/a`), 200);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    assert.match(metrics, /novagate_http_requests_total\{route="route-a",path="\/a",method="GET",status="200"\} 20/);
  } finally {
    assert.equal(await gateway.stop(), 0);
  }
});

test('a failing JWKS fetch answers 503 jwks_unavailable and is counted by failure class, never with its body', { timeout: 60_000 }, async () => {
  const idp = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(500).end('secret-idp-internals');
  });
  const key = makeKey('RS256', 'k1');
  const file = writeConfigFile({
    services: [{ name: 'up', url: upstream.url }],
    routes: [
      {
        name: 'r',
        service: 'up',
        paths: ['/a'],
        auth: 'jwt',
        jwt: { providers: [{ name: 'idp', issuer: 'https://idp.test/', jwksUri: `${idp.url}/jwks`, allowHttp: true, algorithms: ['RS256'] }] },
      },
    ],
  });
  const gateway = await startGatewayProcess({ CONFIG_FILE: file });
  try {
    const token = signToken(key, { sub: 'x', iss: 'https://idp.test/', exp: Math.floor(Date.now() / 1000) + 600 });
    const response = await fetch(`http://127.0.0.1:${gateway.port}/a`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    assert.equal(response.status, 503);
    assert.match(body, /jwks_unavailable/);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    assert.match(metrics, /^novagate_jwks_fetch_failures_total\{failure="http_status"\} 1$/m);
    // Log lines are written in batches: wait for the one about the failure.
    const logged = () => gateway.lines.join('\n') + gateway.stderr();
    await eventually(async () => /JWKS fetch failed.*http_status/.test(logged()), 'the JWKS failure is logged with its class');
    assert.doesNotMatch(logged(), /secret-idp-internals/);
  } finally {
    await gateway.stop();
    await idp.close();
  }
});
