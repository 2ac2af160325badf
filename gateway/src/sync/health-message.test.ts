// A real gateway process in control-plane mode against a stand-in control plane: after its hello and the first
// config frame it reports every upstream target's health, and reports again when passive health ejects one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeConfigFrame, formatApiKey, gatewayMessage } from '../protocol/index.js';
import { startGatewayProcess } from '../testing/gateway-process.js';
import { freePort } from '../testing/redis-server.js';
import { startUpstream } from '../testing/upstream.js';

const API_KEY = formatApiKey('00000000-0000-4000-8000-000000000000', 'a'.repeat(32));

test('the gateway sends its targets’ health after the first config frame, and again when one is ejected', { timeout: 60_000 }, async () => {
  const upstream = await startUpstream();
  const closedPort = await freePort();
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const received: { type: string; targets?: { service: string; target: string; healthy: boolean }[] }[] = [];
  let configSentAt = -1;
  server.on('connection', (socket: WebSocket) => {
    socket.on('message', (data: Buffer) => {
      const message = gatewayMessage.parse(JSON.parse(data.toString()));
      if (message.type === 'health' && configSentAt < 0) throw new Error('health before the config frame');
      received.push(message);
      if (message.type === 'hello') {
        const config = {
          services: [
            {
              name: 'svc',
              targets: [{ url: upstream.url }, { url: `http://127.0.0.1:${closedPort}` }],
              healthChecks: { passive: { consecutiveFailures: 1, ejectionMs: 60_000, maxEjectionPercent: 50 } },
            },
          ],
          routes: [{ name: 'r', service: 'svc', paths: ['/*'] }],
        };
        // The hub admits a hello in a database transaction: nothing may arrive before that is done.
        setTimeout(() => {
          const frame = encodeConfigFrame(1, 'a'.repeat(64), config);
          configSentAt = received.length;
          socket.send(frame.data, { binary: frame.binary });
        }, 300);
      }
    });
  });
  const gateway = await startGatewayProcess({
    CONTROL_PLANE_URL: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    GATEWAY_API_KEY: API_KEY,
    ALLOW_INSECURE_CONTROL_PLANE: 'true',
  });
  const healths = () => received.filter((message) => message.type === 'health');
  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not reached; received ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await until(() => healths().length >= 1);
    assert.deepEqual(healths()[0]?.targets, [
      { service: 'svc', target: `127.0.0.1:${upstream.port}`, healthy: true },
      { service: 'svc', target: `127.0.0.1:${closedPort}`, healthy: true },
    ]);
    // Round-robin sends one of two requests to the closed port: refused, retried on the other, and ejected.
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`http://127.0.0.1:${gateway.port}/x`)).status, 200);
    await until(() => healths().some((message) => message.targets?.some((t) => !t.healthy)));
    assert.deepEqual(healths().at(-1)?.targets, [
      { service: 'svc', target: `127.0.0.1:${upstream.port}`, healthy: true },
      { service: 'svc', target: `127.0.0.1:${closedPort}`, healthy: false },
    ]);
  } finally {
    await gateway.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await upstream.close();
  }
});
