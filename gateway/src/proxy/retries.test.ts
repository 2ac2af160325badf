// Route retries and timeouts over HTTP/1.1 against real upstreams on sockets (retry-policy.ts, retry-budget.ts,
// replay-body.ts, route-timeouts.ts as forward.ts applies them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { freePort } from '../testing/redis-server.js';
import { RETRY_BUFFER_BYTES, ReplayMemory } from './replay-body.js';

interface Reply {
  status: number;
  body: string;
}

/** One request; 'cut' when the connection closed before a whole response arrived. */
function call(path: string, method = 'GET', body?: Buffer): Promise<Reply | 'cut'> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path, method, headers: body === undefined ? {} : { 'content-length': String(body.length) } });
    req.on('error', () => resolve('cut'));
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('error', () => resolve('cut'));
      res.on('aborted', () => resolve('cut'));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.end(body);
  });
}

async function reply(path: string, method = 'GET', body?: Buffer): Promise<Reply> {
  const answer = await call(path, method, body);
  assert.notEqual(answer, 'cut', `${method} ${path}: the connection was cut`);
  return answer as Reply;
}

const errorCode = (answer: Reply) => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

async function retriesCounted(service: string, outcome: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`novagate_upstream_retries_total{service="${service}",outcome="${outcome}"}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Reads the whole body, then answers with its length and digest. */
function digestOf(req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
}

let gateway: TestGateway;
const replayMemory = new ReplayMemory();
let closedPort: number;
/** Nothing listens here until the connect-failure test starts an upstream on it. */
let laterPort: number;
const upstreams: TestUpstream[] = [];
let flaky: TestUpstream;
let flakyCalls = 0;
let unavailable: TestUpstream;
let storm: TestUpstream;
let sluggish: TestUpstream;
let hanging: TestUpstream;
let hangingCalls = 0;
let late: TestUpstream;
let stalled: TestUpstream;
let flood: TestUpstream;
let greedy: TestUpstream;
let greedyBytes = 0;

before(async () => {
  closedPort = await freePort();
  laterPort = await freePort();
  // Resets the connection of every odd request once it has read the body (or, past 100 KiB, in the middle of
  // it); answers every even one with the digest of the body it received.
  flaky = await startUpstream((req, res) => {
    const call = ++flakyCalls;
    if (call % 2 === 1) {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > 100 * 1024) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    digestOf(req, res);
  });
  unavailable = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream says 503');
  });
  storm = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(503).end();
  });
  // Answers 503 after 150 ms.
  sluggish = await startUpstream((req, res) => {
    req.resume();
    const timer = setTimeout(() => res.writeHead(503).end(), 150);
    res.on('close', () => clearTimeout(timer));
  });
  // Never answers its first request; answers the others at once.
  hanging = await startUpstream((req, res) => {
    req.resume();
    if (++hangingCalls === 1) return;
    res.end('second try');
  });
  // Answers after 2 s: past its service's 100 ms timeout even with undici's coarse (≈0.5 s) timers.
  late = await startUpstream((req, res) => {
    req.resume();
    const timer = setTimeout(() => res.end('late but fine'), 2_000);
    res.on('close', () => clearTimeout(timer));
  });
  // Sends its headers and a first chunk, then nothing.
  stalled = await startUpstream((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk');
  });
  // Never answers.
  flood = await startUpstream((req) => req.resume());
  // Answers 503 at once, keeps reading the body, and ends its answer 300 ms later.
  greedy = await startUpstream((req, res) => {
    req.on('data', (chunk: Buffer) => (greedyBytes += chunk.length));
    res.writeHead(503);
    res.write('busy');
    const timer = setTimeout(() => res.end(), 300);
    res.on('close', () => clearTimeout(timer));
  });
  upstreams.push(flaky, unavailable, storm, sluggish, hanging, late, stalled, flood, greedy);
  const retryAll = { attempts: 2, on: ['connect-failure', 'reset', '503'], backoffMs: 0 };
  gateway = await startTestGateway({
    services: [
      { name: 'flaky', url: flaky.url },
      { name: 'unavailable', url: unavailable.url },
      { name: 'closed', url: `http://127.0.0.1:${closedPort}`, connectTimeoutMs: 500 },
      { name: 'storm', url: storm.url },
      { name: 'sluggish', url: sluggish.url },
      { name: 'hanging', url: hanging.url },
      { name: 'late', url: late.url, timeoutMs: 100 },
      { name: 'stalled', url: stalled.url },
      { name: 'flood', url: flood.url },
      { name: 'legacy', url: `http://127.0.0.1:${closedPort}`, retries: 0 },
      { name: 'later', url: `http://127.0.0.1:${laterPort}` },
      { name: 'greedy', url: greedy.url },
    ],
    routes: [
      { name: 'flaky', service: 'flaky', paths: ['/flaky'], retry: retryAll },
      { name: 'unavailable', service: 'unavailable', paths: ['/unavailable'], retry: retryAll },
      { name: 'closed', service: 'closed', paths: ['/closed'], retry: { attempts: 2, on: ['connect-failure'], backoffMs: 5 } },
      { name: 'storm', service: 'storm', paths: ['/storm'], retry: { attempts: 3, on: ['503'], backoffMs: 0 } },
      { name: 'sluggish', service: 'sluggish', paths: ['/sluggish'], retry: { attempts: 10, on: ['503'], backoffMs: 0 }, timeouts: { requestMs: 400 } },
      { name: 'hanging', service: 'hanging', paths: ['/hanging'], retry: { attempts: 1, on: ['reset'], backoffMs: 0 }, timeouts: { backendRequestMs: 100 } },
      { name: 'hanging-once', service: 'hanging', paths: ['/hanging-once'], timeouts: { backendRequestMs: 100 } },
      { name: 'late-default', service: 'late', paths: ['/late-default'] },
      { name: 'late-unbounded', service: 'late', paths: ['/late-unbounded'], timeouts: { requestMs: 0, backendRequestMs: 0 } },
      { name: 'stalled', service: 'stalled', paths: ['/stalled'], timeouts: { requestMs: 300, backendRequestMs: 0 } },
      { name: 'flood', service: 'flood', paths: ['/flood'], retry: { attempts: 10, on: ['reset'], backoffMs: 0 }, timeouts: { requestMs: 2_000, backendRequestMs: 50 } },
      { name: 'legacy', service: 'legacy', paths: ['/legacy'] },
      { name: 'later', service: 'later', paths: ['/later'], retry: { attempts: 10, on: ['connect-failure'], backoffMs: 100 } },
      { name: 'greedy', service: 'greedy', paths: ['/greedy'], retry: { attempts: 2, on: ['503'], backoffMs: 25 } },
    ],
  }, { replayMemory });
});

after(async () => {
  await gateway.close();
  await Promise.all(upstreams.map((upstream) => upstream.close()));
});

test('a GET whose connection the upstream resets is retried and answered by the next try', { timeout: 30_000 }, async () => {
  flakyCalls = 0;
  const answer = await reply('/flaky');
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body), { bytes: 0, sha256: createHash('sha256').digest('hex') });
  assert.equal(flakyCalls, 2);
});

test('a GET to a closed port is retried on connect-failure and answered once the upstream listens', { timeout: 30_000 }, async () => {
  const answer = call('/later');
  // The first try was refused (the retry is counted): only now does the upstream start, on that port.
  while ((await retriesCounted('later', 'retried')) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const upstream = await startUpstream(undefined, laterPort);
  upstreams.push(upstream);
  const reply = await answer;
  assert.notEqual(reply, 'cut');
  assert.equal((reply as Reply).status, 200);
  assert.equal(JSON.parse((reply as Reply).body).url, '/later');
  assert.equal(upstream.received.length, 1);
});

test('a PUT body within the replay buffer is sent again whole on the retry', { timeout: 30_000 }, async () => {
  flakyCalls = 0;
  const body = Buffer.alloc(10_000, 'x');
  const answer = await reply('/flaky', 'PUT', body);
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body), { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  assert.equal(flakyCalls, 2);
});

test('kept bodies are let go once their exchange ends: the process\'s replay memory is back to 0', { timeout: 30_000 }, async () => {
  flakyCalls = 0;
  assert.equal((await reply('/flaky', 'PUT', Buffer.alloc(5_000, 'z'))).status, 200);
  assert.equal((await reply('/unavailable', 'PUT', Buffer.alloc(5_000, 'z'))).status, 503);
  assert.equal((await reply('/closed', 'POST', Buffer.alloc(5_000, 'z'))).status, 502);
  assert.equal(replayMemory.usedBytes, 0);
});

test('a body larger than the replay buffer is not retried once its bytes went out: 502', { timeout: 30_000 }, async () => {
  flakyCalls = 0;
  const body = Buffer.alloc(RETRY_BUFFER_BYTES * 3, 'y');
  const answer = await reply('/flaky', 'PUT', body);
  assert.equal(answer.status, 502);
  assert.equal(errorCode(answer), 'upstream_unavailable');
  assert.equal(flakyCalls, 1);
});

test('a POST is not retried on a reset (it may have been processed)', { timeout: 30_000 }, async () => {
  flakyCalls = 0;
  const answer = await reply('/flaky', 'POST', Buffer.from('{"order":1}'));
  assert.equal(answer.status, 502);
  assert.equal(flakyCalls, 1);
});

test('a GET answered 503 is retried; the last try\'s 503 is relayed as the upstream sent it', { timeout: 30_000 }, async () => {
  const before = unavailable.received.length;
  const answer = await reply('/unavailable');
  assert.equal(answer.status, 503);
  assert.equal(answer.body, 'upstream says 503');
  assert.equal(unavailable.received.length - before, 3);
});

test('a POST answered 503 is not retried', { timeout: 30_000 }, async () => {
  const before = unavailable.received.length;
  const answer = await reply('/unavailable', 'POST', Buffer.from('{}'));
  assert.equal(answer.status, 503);
  assert.equal(unavailable.received.length - before, 1);
});

test('a POST with a body is retried on connect-failure (nothing reached the upstream), then answered 502', { timeout: 30_000 }, async () => {
  const before = await retriesCounted('closed', 'retried');
  const answer = await reply('/closed', 'POST', Buffer.from('{"order":2}'));
  assert.equal(answer.status, 502);
  assert.equal(errorCode(answer), 'upstream_unavailable');
  assert.equal((await retriesCounted('closed', 'retried')) - before, 2);
});

test('a route without retry keeps the service\'s legacy retries (here 0)', { timeout: 30_000 }, async () => {
  const answer = await reply('/legacy');
  assert.equal(answer.status, 502);
  assert.equal(await retriesCounted('legacy', 'retried'), 0);
});

test('the retry budget stops a retry storm: 100 requests to an always-503 upstream with 3 retries each', { timeout: 60_000 }, async () => {
  const started = Date.now();
  for (let i = 0; i < 100; i++) assert.equal((await reply('/storm')).status, 503);
  const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
  const extra = storm.received.length - 100;
  // 20% of the requests, plus 3 free retries in each second the storm touched; without a budget: 300.
  assert.ok(extra <= 20 + 3 * seconds, `${extra} retries in ${seconds} s`);
  assert.ok(extra >= 20, `${extra} retries: the budget allows 20% of the requests`);
  assert.equal(await retriesCounted('storm', 'retried'), extra);
  // A request stops at the budget's first refusal: every request that did not get its 3 retries was refused once.
  assert.ok((await retriesCounted('storm', 'budget_exhausted')) >= 100 - Math.floor(extra / 3), 'refusals are counted');
});

test('requestMs bounds the whole exchange across retries: 504 upstream_timeout', { timeout: 30_000 }, async () => {
  const before = sluggish.received.length;
  const answer = await reply('/sluggish');
  assert.equal(answer.status, 504);
  assert.equal(errorCode(answer), 'upstream_timeout');
  const tries = sluggish.received.length - before;
  assert.ok(tries >= 2 && tries <= 3, `${tries} tries fit 400 ms of 150 ms tries`);
});

test('backendRequestMs bounds each try: a try that hangs is given up and the retry answers', { timeout: 30_000 }, async () => {
  hangingCalls = 0;
  const answer = await reply('/hanging');
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'second try');
  assert.equal(hangingCalls, 2);
});

test('backendRequestMs overrides the service timeoutMs: a try that hangs is 504 without a retry', { timeout: 30_000 }, async () => {
  hangingCalls = 0;
  const answer = await reply('/hanging-once');
  assert.equal(answer.status, 504);
  assert.equal(errorCode(answer), 'upstream_timeout');
  assert.equal(hangingCalls, 1);
});

test('backendRequestMs defaults to the service timeoutMs; 0 disables both timeouts', { timeout: 30_000 }, async () => {
  assert.equal((await reply('/late-default')).status, 504);
  const answer = await reply('/late-unbounded');
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'late but fine');
});

test('requestMs expiring after the response started cuts the client connection', { timeout: 30_000 }, async () => {
  assert.equal(await call('/stalled'), 'cut');
});

test('attacker: a hanging upstream behind a route with 10 retries sees no multiplied load', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 30 }, () => reply('/flood')));
  const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
  for (const answer of answers) assert.equal(answer.status, 504);
  const extra = flood.received.length - 30;
  // Without the budget: 300 more tries.
  assert.ok(extra <= Math.ceil(30 * 0.2) + 3 * seconds, `${extra} retries in ${seconds} s`);
});

test('attacker: a body that grows past the replay buffer while a 503 is retried does not crash the gateway: both retries are made and the last 503 relayed', { timeout: 30_000 }, async () => {
  const before = greedy.received.length;
  greedyBytes = 0;
  const first = Buffer.alloc(10_000, 'a');
  const rest = Buffer.alloc(500_000, 'b');
  const answer = await new Promise<Reply | 'cut'>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/greedy', method: 'PUT', headers: { 'content-length': String(first.length + rest.length) } });
    req.on('error', () => resolve('cut'));
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('aborted', () => resolve('cut'));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.write(first);
    // The first try's 503 arrived and its retry was decided before the rest of the body comes.
    setTimeout(() => req.end(rest), 100);
  });
  assert.notEqual(answer, 'cut');
  assert.equal((answer as Reply).status, 503, 'the last try\'s 503 is relayed');
  assert.equal(greedy.received.length - before, 3, 'both retries were made');
  assert.equal(replayMemory.usedBytes, 0);
});
