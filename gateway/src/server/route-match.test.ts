// DESIGN §10 matching through the real server over raw sockets: typed paths, header and query matches, and
// header smuggling with repeated field lines (the route sees the joined value, as the upstream may).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import { rawExchange } from '../testing/raw-http.js';

let canary: TestUpstream;
let stable: TestUpstream;
let gateway: TestGateway;

before(async () => {
  canary = await startUpstream();
  stable = await startUpstream();
  gateway = await startTestGateway({
    services: [
      { name: 'canary', url: canary.url },
      { name: 'stable', url: stable.url },
    ],
    routes: [
      { name: 'env-canary', service: 'canary', paths: [{ type: 'PathPrefix', value: '/app' }], match: { headers: [{ name: 'X-Env', value: 'canary' }] } },
      { name: 'good-bot', service: 'canary', paths: [{ type: 'Exact', value: '/bot' }], match: { headers: [{ name: 'user-agent', value: 'good-bot' }] } },
      { name: 'items', service: 'canary', paths: [{ type: 'RegularExpression', value: '/items/[0-9]+' }] },
      { name: 'debug', service: 'canary', paths: ['/q'], match: { query: [{ name: 'debug', value: '1' }] } },
      { name: 'stable', service: 'stable', paths: ['/*'] },
    ],
  });
});
after(async () => {
  await gateway.close();
  await canary.close();
  await stable.close();
});

async function reaches(target: string, headers: string[] = []): Promise<'canary' | 'stable' | number> {
  const before = { canary: canary.received.length, stable: stable.received.length };
  const head = `GET ${target} HTTP/1.1\r\nHost: gw.test\r\n${headers.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`;
  const exchange = await rawExchange(gateway.port, head, 1);
  const status = exchange.responses[0]?.status ?? 0;
  if (status !== 200) return status;
  if (canary.received.length > before.canary) return 'canary';
  assert.ok(stable.received.length > before.stable);
  return 'stable';
}

test('header, query and typed-path matches pick the route; anything else falls through to the next one', { timeout: 60_000 }, async () => {
  assert.equal(await reaches('/app/x', ['x-env: canary']), 'canary');
  assert.equal(await reaches('/app', ['X-ENV: canary']), 'canary', 'header names ignore case');
  assert.equal(await reaches('/app/x', ['x-env: Canary']), 'stable', 'header values are exact');
  assert.equal(await reaches('/appx', ['x-env: canary']), 'stable', 'PathPrefix stops at a segment boundary');
  assert.equal(await reaches('/bot', ['User-Agent: good-bot']), 'canary');
  assert.equal(await reaches('/items/12'), 'canary');
  assert.equal(await reaches('/items/12x'), 'stable', 'a RegularExpression path matches the whole path');
  assert.equal(await reaches('/items/%31%32'), 'canary', 'the regex sees the normalised path');
  assert.equal(await reaches('/q?debug=1'), 'canary');
  assert.equal(await reaches('/q?debug=1&debug=0'), 'stable');
});

test('a repeated header never smuggles a request onto a header-matched route', { timeout: 60_000 }, async () => {
  assert.equal(await reaches('/app/x', ['x-env: canary', 'x-env: prod']), 'stable');
  assert.equal(await reaches('/app/x', ['x-env: prod', 'x-env: canary']), 'stable');
  // Node keeps only the first User-Agent in req.headers; the match reads every copy.
  assert.equal(await reaches('/bot', ['User-Agent: good-bot', 'User-Agent: evil']), 'stable');
  assert.equal(await reaches('/bot', ['User-Agent: evil', 'User-Agent: good-bot']), 'stable');
});
