// CA-only (keyless) certificates: a `certificates` entry or a TLS_CERT_DIR `<name>.crt` without a key verifies an
// upstream signed by a private CA (services[].tls.caCertificate), and nothing that needs a key may name it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateGatewayConfig } from '../config/index.js';
import { watchCertificateDir } from '../listeners/certificate-dir.js';
import { createLogger } from '../telemetry/logger.js';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { startListeningGateway } from '../testing/listening-gateway.js';
import { makeTestCertificates } from '../testing/tls-certificates.js';

const pems = makeTestCertificates();
const read = (file: string) => readFileSync(file, 'utf8');
// Two CA bundles: no key anywhere. `both-cas` holds two unrelated roots (a bundle, not a chain).
const certificates = [
  { name: 'internal-ca', cert: read(pems.caFile) },
  { name: 'other-ca', cert: read(pems.otherCaFile) },
  { name: 'both-cas', cert: read(pems.otherCaFile) + read(pems.caFile) },
];

let upstream: Server;
let upstreamUrl: string;
let gateway: TestGateway;

before(async () => {
  upstream = createServer({ cert: read(pems.serverCertFile), key: read(pems.serverKeyFile) }, (_req, res) => res.end('{"ok":true}'));
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startTestGateway(configWith({ caCertificate: 'internal-ca' }));
});

after(async () => {
  await gateway.close();
  upstream.close();
});

function configWith(tls: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { certificates, services: [{ name: 'svc', url: upstreamUrl, retries: 0, tls }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }], ...extra };
}

async function answer(tls: Record<string, unknown>): Promise<{ status: number; cause: string | undefined }> {
  const applied = await gateway.store.apply(configWith(tls));
  assert.equal(applied.ok, true, JSON.stringify(applied));
  const response = await fetch(`${gateway.url}/x`);
  const body = (await response.json()) as { error?: { cause?: string } };
  return { status: response.status, cause: body.error?.cause };
}

test('a keyless pushed caCertificate verifies an upstream signed by that private CA', async () => {
  assert.deepEqual(await answer({ caCertificate: 'internal-ca' }), { status: 200, cause: undefined });
});

test('a keyless bundle of several unrelated CAs verifies with whichever signed the upstream', async () => {
  assert.deepEqual(await answer({ caCertificate: 'both-cas' }), { status: 200, cause: undefined });
});

test('a keyless caCertificate of another CA refuses the upstream: 502 tls_error', async () => {
  assert.deepEqual(await answer({ caCertificate: 'other-ca' }), { status: 502, cause: 'tls_error' });
});

test('a keyless certificate named as clientCertificate is refused, naming the field', async () => {
  const refused = await gateway.store.apply(configWith({ caCertificate: 'internal-ca', clientCertificate: 'internal-ca' }));
  assert.equal(refused.ok, false);
  assert.deepEqual(!refused.ok && refused.problems, [
    { path: 'services[0].tls.clientCertificate', message: "certificate 'internal-ca' has no key: a client certificate needs one" },
  ]);
});

test('a listener naming a keyless certificate is refused, naming the listener certificate path', () => {
  const result = validateGatewayConfig(
    configWith({ caCertificate: 'internal-ca' }, { listeners: [{ name: 'web', port: 443, protocol: 'HTTPS', tls: { certificates: ['other-ca', 'internal-ca'] } }] }),
  );
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems, [
    { path: 'listeners[0].tls.certificates[0]', message: "certificate 'other-ca' has no key: a listener needs one" },
    { path: 'listeners[0].tls.certificates[1]', message: "certificate 'internal-ca' has no key: a listener needs one" },
  ]);
});

test('a keyless entry whose cert is not PEM certificates is refused at cert; a key without cert text too', () => {
  const bad = validateGatewayConfig({ services: [], routes: [], certificates: [{ name: 'ca', cert: 'not a certificate' }] });
  assert.deepEqual(!bad.ok && bad.problems.map((p) => p.path), ['certificates[0].cert']);
  const keyOnly = validateGatewayConfig({ services: [], routes: [], certificates: [{ name: 'ca', cert: read(pems.serverKeyFile) }] });
  assert.deepEqual(!keyOnly.ok && keyOnly.problems.map((p) => p.path), ['certificates[0].cert']);
  // An empty key is not "no key".
  const empty = validateGatewayConfig({ services: [], routes: [], certificates: [{ name: 'ca', cert: read(pems.caFile), key: '' }] });
  assert.deepEqual(!empty.ok && [...new Set(empty.problems.map((p) => p.path))], ['certificates[0].key']);
});

function quietLogger() {
  let output = '';
  const logger = createLogger({ level: 'debug', output: { write: (chunk: string) => ((output += chunk), true), once: () => undefined } });
  return {
    logger,
    lines: () => {
      logger.flush();
      return output;
    },
  };
}

test('TLS_CERT_DIR: <name>.crt without <name>.key verifies an upstream as caCertificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-cadir-'));
  copyFileSync(pems.caFile, join(dir, 'local-ca.crt'));
  copyFileSync(pems.otherCaFile, join(dir, 'local-other.crt'));
  const { logger, lines } = quietLogger();
  const certificateDir = watchCertificateDir({ dir, logger, onChange: () => undefined, rereadMs: 60_000 });
  const local = await startTestGateway(
    { services: [{ name: 'svc', url: upstreamUrl, retries: 0, tls: { caCertificate: 'local-ca' } }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }] },
    { localCertificatePem: (name) => certificateDir.get(name) },
  );
  try {
    assert.deepEqual(certificateDir.names().sort(), ['local-ca', 'local-other']);
    assert.equal(certificateDir.get('local-ca')?.key, undefined);
    assert.equal(lines(), '', 'a .crt alone is no error');
    assert.equal((await fetch(`${local.url}/x`)).status, 200);
    const other = { services: [{ name: 'svc', url: upstreamUrl, retries: 0, tls: { caCertificate: 'local-other' } }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }] };
    assert.equal((await local.store.apply(other)).ok, true);
    const refused = await fetch(`${local.url}/x`);
    assert.equal(refused.status, 502);
    assert.equal(((await refused.json()) as { error: { cause: string } }).error.cause, 'tls_error');
    const client = { services: [{ name: 'svc', url: upstreamUrl, retries: 0, tls: { caCertificate: 'local-ca', clientCertificate: 'local-ca' } }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }] };
    const keyless = await local.store.apply(client);
    assert.deepEqual(!keyless.ok && keyless.problems, [{ path: 'services[0].tls.clientCertificate', message: "certificate 'local-ca' has no key: a client certificate needs one" }]);
  } finally {
    certificateDir.close();
    await local.close();
  }
});

test('TLS_CERT_DIR: a listener naming a keyless <name>.crt is refused at compile with the same message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-cadir-'));
  copyFileSync(pems.caFile, join(dir, 'local-ca.crt'));
  const { logger } = quietLogger();
  const certificateDir = watchCertificateDir({ dir, logger, onChange: () => undefined, rereadMs: 60_000 });
  const base = { services: [{ name: 'svc', url: upstreamUrl }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }] };
  const listening = await startListeningGateway(base, { certificateDir });
  try {
    const free = createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const bindPort = (free.address() as AddressInfo).port;
    free.close();
    const refused = await listening.apply({ ...base, listeners: [{ name: 'web', port: 443, bindPort, protocol: 'HTTPS', tls: { certificates: ['local-ca'] } }] });
    assert.equal(refused.ok, false);
    assert.deepEqual(!refused.ok && refused.problems, [{ path: 'listeners[0].tls.certificates[0]', message: "certificate 'local-ca' has no key: a listener needs one" }]);
  } finally {
    certificateDir.close();
    await listening.close();
  }
});

test('TLS_CERT_DIR: a pair whose .key disappears keeps serving with its key (logged), it does not turn keyless', () => {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-cadir-'));
  copyFileSync(pems.serverCertFile, join(dir, 'site.crt'));
  copyFileSync(pems.serverKeyFile, join(dir, 'site.key'));
  const { logger, lines } = quietLogger();
  const certificateDir = watchCertificateDir({ dir, logger, onChange: () => undefined, rereadMs: 60_000 });
  try {
    assert.equal(certificateDir.get('site')?.key, read(pems.serverKeyFile));
    rmSync(join(dir, 'site.key'));
    certificateDir.reload();
    assert.equal(certificateDir.get('site')?.key, read(pems.serverKeyFile));
    assert.match(lines(), /site\.key is gone/);
    assert.ok(!lines().includes('BEGIN'), 'no PEM in the log');
  } finally {
    certificateDir.close();
  }
});
