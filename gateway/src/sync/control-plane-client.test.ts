import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createConfigStore } from '../pipeline/config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';
import { createLogger } from '../telemetry/logger.js';
import { CLOSE_REPLACED } from '../protocol/index.js';
import { startControlPlaneClient } from './control-plane-client.js';

const storeDeps = {
  tenant: 'default',
  jwtSecret: undefined,
  rateLimitBackend: createMemoryBackend(),
  failureMode: 'open' as const,
  now: Date.now,
  onRateLimitBackendError: () => undefined,
  onRateLimited: () => undefined,
};

/**
 * A control plane that closes every connection after its hello with `code`/`reason`; returns the hellos and
 * the gateway's log lines once the gateway has logged the close.
 */
async function closeAfterHello(code: number, reason: string): Promise<{ hellos: { nodeId: string }[]; lines: Record<string, unknown>[] }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const hellos: { nodeId: string }[] = [];
  server.on('connection', (socket) => {
    socket.once('message', (data: Buffer) => {
      hellos.push(JSON.parse(data.toString()) as { nodeId: string });
      socket.close(code, reason);
    });
  });
  const lines: Record<string, unknown>[] = [];
  let logged!: () => void;
  const closeLogged = new Promise<void>((resolve) => (logged = resolve));
  const logger = createLogger({
    level: 'debug',
    flushIntervalMs: 0,
    output: {
      write(chunk: string) {
        for (const line of chunk.split('\n').filter((l) => l !== '')) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          lines.push(parsed);
          if ('retryInMs' in parsed) logged();
        }
        return true;
      },
      once: () => undefined,
    },
  });
  const client = startControlPlaneClient({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey: 'gw_test',
    nodeId: 'node-a',
    softwareVersion: 'test',
    maxConfigBytes: 1024 * 1024,
    store: createConfigStore(storeDeps),
    logger,
    onConnectedChange: () => undefined,
    // Full jitter with random() = 0 would retry at once; a refusal must wait half the cap at least.
    backoff: { baseMs: 100, capMs: 60_000, random: () => 0 },
  });
  try {
    await closeLogged;
    logger.flush();
    return { hellos, lines };
  } finally {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('a gateway replaced by another with its node id (4409) logs the duplicate and backs off to the cap', async () => {
  const { hellos, lines } = await closeAfterHello(CLOSE_REPLACED, 'replaced: another connection said hello as node node-a');
  assert.equal(hellos[0]?.nodeId, 'node-a');
  const line = lines.find((l) => 'retryInMs' in l);
  assert.equal(line?.level, 'error');
  assert.match(String(line?.msg), /same node id/);
  assert.match(String(line?.msg), /NODE_ID/);
  assert.equal(line?.nodeId, 'node-a');
  assert.equal(line?.retryInMs, 30_000);
});

test('a gateway refused by its plan limit backs off to the cap too; an ordinary close retries on the usual backoff', async () => {
  const refused = await closeAfterHello(1008, 'plan_limit_exceeded: the free plan allows at most 2 gateways');
  const refusal = refused.lines.find((l) => 'retryInMs' in l);
  assert.equal(refusal?.level, 'error');
  assert.equal(refusal?.retryInMs, 30_000);
  const ordinary = await closeAfterHello(1011, 'internal error');
  const close = ordinary.lines.find((l) => 'retryInMs' in l);
  assert.equal(close?.level, 'warn');
  assert.equal(close?.retryInMs, 0);
});
