// Redis over TLS (rediss://) against a private TLS-only redis-server: the gateway's RESP client verifies
// the server's certificate (CA and hostname), never falls back to plaintext, and rate limits work through it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRespClient, RedisUnavailableError, type RespClient, type RespClientOptions } from './resp-client.js';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '../testing/gateway-process.js';
import { startOwnRedis, startOwnTlsRedis, type OwnRedis, type OwnTlsRedis } from '../testing/redis-server.js';
import { makeTestCertificates, type TestCertificates } from '../testing/tls-certificates.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';

let certificates: TestCertificates;
let server: OwnTlsRedis | undefined;
let mutualServer: OwnTlsRedis | undefined;
let plaintextServer: OwnRedis;
let skip: string | undefined;
const clients: RespClient[] = [];

before(async () => {
  certificates = makeTestCertificates();
  const started = await startOwnTlsRedis(certificates);
  if (typeof started === 'string') {
    skip = started;
    return;
  }
  server = started;
  mutualServer = (await startOwnTlsRedis(certificates, true)) as OwnTlsRedis;
  plaintextServer = await startOwnRedis();
});
after(async () => {
  for (const client of clients) client.close();
  await server?.stop();
  await mutualServer?.stop();
  await plaintextServer?.kill();
});

/** A client and the first error it reports, 'ready' if it got that far, or 'timeout' after 5 s of neither. */
function connectAndWait(url: string, options: RespClientOptions): Promise<{ client: RespClient; outcome: 'ready' | 'timeout' | Error }> {
  return new Promise((resolve) => {
    const client: RespClient = createRespClient(url, {
      ...options,
      onReady: () => resolve({ client, outcome: 'ready' }),
      onError: (error) => resolve({ client, outcome: error }),
    });
    clients.push(client);
    setTimeout(() => resolve({ client, outcome: 'timeout' }), 5_000).unref();
  });
}

// Redis sends its CA with its certificate, so Node names an untrusted chain either way.
const UNTRUSTED = /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/;
const ca = () => readFileSync(certificates.caFile, 'utf8');

test('rediss:// verifies the server against the given CA, and commands work over TLS', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const { client, outcome } = await connectAndWait((server as OwnTlsRedis).url, { tls: { ca: ca() } });
  assert.equal(outcome, 'ready');
  assert.equal(await client.command(['SET', 'tls-test', 'over tls']), 'OK');
  assert.equal(await client.command(['GET', 'tls-test']), 'over tls');
});

test('a server whose certificate the CA did not sign is refused with a clear error, and no command is sent', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const { client, outcome } = await connectAndWait((server as OwnTlsRedis).url, { tls: { ca: readFileSync(certificates.otherCaFile, 'utf8') } });
  assert.ok(outcome instanceof Error);
  assert.match((outcome as Error & { code?: string }).code ?? '', UNTRUSTED);
  assert.notEqual(client.status(), 'ready');
  await assert.rejects(client.command(['PING']), RedisUnavailableError);
});

test('without a CA file the system CAs are used, so a private CA is refused', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const { outcome } = await connectAndWait((server as OwnTlsRedis).url, {});
  assert.ok(outcome instanceof Error);
  assert.match((outcome as Error & { code?: string }).code ?? '', UNTRUSTED);
});

test('rediss:// with a hostname the certificate does not name is refused', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const { client, outcome } = await connectAndWait(`rediss://localhost:${(server as OwnTlsRedis).port}`, { tls: { ca: ca() } });
  assert.ok(outcome instanceof Error);
  assert.equal((outcome as Error & { code?: string }).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.match(outcome.message, /localhost/);
  await assert.rejects(client.command(['PING']), RedisUnavailableError);
});

test('rediss:// to a plaintext Redis fails instead of falling back to plaintext', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const { client, outcome } = await connectAndWait(`rediss://127.0.0.1:${plaintextServer.port}`, { tls: { ca: ca() }, connectTimeoutMs: 1_000 });
  assert.ok(outcome instanceof Error, 'the TLS handshake with a plaintext server fails');
  assert.notEqual(client.status(), 'ready');
  await assert.rejects(client.command(['PING']), RedisUnavailableError);
});

test('a server that requires client certificates accepts the configured one and refuses a client without', async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const url = (mutualServer as OwnTlsRedis).url;
  const withCertificate = await connectAndWait(url, {
    tls: { ca: ca(), cert: readFileSync(certificates.clientCertFile, 'utf8'), key: readFileSync(certificates.clientKeyFile, 'utf8') },
  });
  assert.equal(withCertificate.outcome, 'ready');
  assert.equal(await withCertificate.client.command(['PING']), 'PONG');
  const without = await connectAndWait(url, { tls: { ca: ca() } });
  assert.ok(without.outcome instanceof Error);
  assert.notEqual(without.client.status(), 'ready');
});

test('rate limits are shared over rediss:// by two gateway processes: exactly the limit passes', { timeout: 60_000 }, async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const upstream: TestUpstream = await startUpstream();
  const configFile = writeConfigFile({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'tls-limited', service: 'up', paths: ['/limited'], rateLimit: { limit: 10, windowSeconds: 3600, by: 'ip' } }],
  });
  const env = { CONFIG_FILE: configFile, REDIS_URL: (server as OwnTlsRedis).url, REDIS_CA_FILE: certificates.caFile, RATE_LIMIT_FAILURE_MODE: 'closed' };
  const gateways: GatewayProcess[] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  try {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await fetch(`http://127.0.0.1:${(gateways[i % 2] as GatewayProcess).port}/limited`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    assert.equal(statuses.filter((status) => status === 200).length, 10, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 429).length, 20);
    const { client } = await connectAndWait((server as OwnTlsRedis).url, { tls: { ca: ca() } });
    const keys = (await client.command(['KEYS', 'rl:default:tls-limited:*'])) as string[];
    assert.ok(keys.length > 0, 'the counters live in the TLS Redis');
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await upstream.close();
  }
});

test('a gateway given the wrong CA logs why Redis is refused, and with RATE_LIMIT_FAILURE_MODE=closed admits nothing', { timeout: 60_000 }, async (t) => {
  if (skip !== undefined) return t.skip(skip);
  const upstream: TestUpstream = await startUpstream();
  const configFile = writeConfigFile({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'tls-refused', service: 'up', paths: ['/limited'], rateLimit: { limit: 10, windowSeconds: 3600, by: 'ip' } }],
  });
  const gateway = await startGatewayProcess({
    CONFIG_FILE: configFile,
    REDIS_URL: (server as OwnTlsRedis).url,
    REDIS_CA_FILE: certificates.otherCaFile,
    RATE_LIMIT_FAILURE_MODE: 'closed',
  });
  try {
    const response = await fetch(`http://127.0.0.1:${gateway.port}/limited`);
    await response.arrayBuffer();
    assert.equal(response.status, 503);
    assert.equal(upstream.received.length, 0);
    const line = gateway.lines.find((candidate) => candidate.includes('"msg":"redis error"'));
    assert.match(line ?? '', /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/, gateway.lines.join('\n'));
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});
