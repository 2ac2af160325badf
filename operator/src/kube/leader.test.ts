// The Lease the leader elector writes, as the API server receives it: its times in the MicroTime format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from './leader.js';

/** A stand-in API server with no Lease yet: GET answers 404, POST stores and echoes the body it was sent. */
async function leaseServer(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        bodies.push(body);
        response.statusCode = 201;
        response.end(JSON.stringify(body));
        return;
      }
      response.statusCode = 404;
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('the Lease is written with acquireTime and renewTime in MicroTime format (six fractional digits), as a real API server demands', async () => {
  const api = await leaseServer();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  let leading = false;
  const elector = new LeaderElector(kubeConfig, {
    namespace: 'default',
    name: 'novagate-operator',
    identity: 'replica-a',
    now: () => new Date('2026-11-29T17:21:33.572Z'),
    onStartedLeading: () => (leading = true),
    onStoppedLeading: () => (leading = false),
  });
  elector.start();
  try {
    for (let i = 0; i < 200 && api.bodies.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const spec = api.bodies[0]?.spec as Record<string, unknown> | undefined;
    assert.equal(spec?.acquireTime, '2026-11-29T17:21:33.572000Z');
    assert.equal(spec?.renewTime, '2026-11-29T17:21:33.572000Z');
    assert.equal(spec?.holderIdentity, 'replica-a');
  } finally {
    await elector.stop(false);
    await api.close();
  }
  assert.equal(leading, false);
});
