import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { connect as h2Connect } from 'node:http2';
import { once } from 'node:events';
import { startGatewayProcess, writeConfigFile } from '../testing/gateway-process.js';
import { freePort } from '../testing/redis-server.js';
import { makeNamedCertificates, type NamedCertificates } from '../testing/tls-certificates.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';

let upstream: TestUpstream;
let certs: NamedCertificates;

before(async () => {
  upstream = await startUpstream();
  certs = makeNamedCertificates({ first: ['api.example.com'], second: ['api.example.com', 'www.example.com'] });
});
after(async () => {
  await upstream.close();
});

function httpsGet(port: number): Promise<{ status: number; san: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/x', servername: 'api.example.com', ca: certs.ca, headers: { host: 'api.example.com' }, agent: false }, (res) => {
      const san = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '';
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, san }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('TLS_CERT_DIR serves an HTTPS listener; a bad file is logged by name only and the previous certificate stays; a new pair is picked up', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'novagate-certdir-'));
  const first = certs.certificates.first as { cert: string; key: string };
  const second = certs.certificates.second as { cert: string; key: string };
  writeFileSync(join(dir, 'site.crt'), first.cert);
  writeFileSync(join(dir, 'site.key'), first.key);
  const port = await freePort();
  const file = writeConfigFile({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: 'all', service: 'up', paths: ['/*'] }],
    listeners: [{ name: 'web', port, protocol: 'HTTPS', tls: { certificates: ['site'] } }],
  });
  const gateway = await startGatewayProcess({ CONFIG_FILE: file, TLS_CERT_DIR: dir, LISTEN_ADDRESS: '127.0.0.1' });
  try {
    const served = await httpsGet(port);
    assert.equal(served.status, 200);
    assert.equal(served.san, 'DNS:api.example.com');
    // HTTP/2 by ALPN in the real process: the same route, the same log line shape.
    const session = h2Connect(`https://127.0.0.1:${port}`, { ca: certs.ca, servername: 'api.example.com' });
    const stream = session.request({ ':path': '/over-h2', ':authority': 'api.example.com', 'x-request-id': 'process-h2' });
    const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
    stream.resume();
    await once(stream, 'end');
    session.close();
    assert.equal(headers[':status'], 200);
    const logged = await until('the h2 request log line', async () => gateway.lines.find((line) => line.includes('"requestId":"process-h2"')));
    assert.match(logged, /"route":"all".*"status":200|"status":200.*"route":"all"/);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    assert.match(metrics, /novagate_tls_certificate_expiry_timestamp_seconds\{certificate="site"\} \d{10}/);

    writeFileSync(join(dir, 'site.crt'), `-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n`);
    const complaint = await until('a log line about site.crt', async () => gateway.lines.find((line) => line.includes('site.crt')));
    assert.ok(!complaint.includes('BEGIN') && !complaint.includes('not really'), complaint);
    assert.equal((await httpsGet(port)).san, 'DNS:api.example.com', 'the previous certificate keeps serving');

    writeFileSync(join(dir, 'site.key'), second.key);
    writeFileSync(join(dir, 'site.crt'), second.cert);
    await until('the new certificate', async () => ((await httpsGet(port)).san.includes('www.example.com') ? true : undefined));
    assert.ok(gateway.lines.every((line) => !line.includes('PRIVATE KEY') && !line.includes('BEGIN')), 'no PEM text in any log line');
  } finally {
    await gateway.stop();
  }
});

test('a reloaded file whose new listener cannot bind is refused by name; the last good config keeps serving', { timeout: 60_000 }, async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const busyPort = (busy.address() as AddressInfo).port;
  const port = await freePort();
  const config = (listeners: unknown[]) => ({ services: [{ name: 'up', url: upstream.url }], routes: [{ name: 'all', service: 'up', paths: ['/*'] }], listeners });
  const file = writeConfigFile(config([{ name: 'main', port, protocol: 'HTTP' }]));
  const gateway = await startGatewayProcess({ CONFIG_FILE: file, LISTEN_ADDRESS: '127.0.0.1' });
  try {
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    writeFileSync(file, JSON.stringify(config([{ name: 'main', port, protocol: 'HTTP' }, { name: 'extra', port: busyPort, protocol: 'HTTP' }])));
    const refused = await until('the refusal', async () => gateway.lines.find((line) => line.includes('config rejected')));
    assert.match(refused, new RegExp(`listeners\\[1\\]: listener 'extra' cannot listen on port ${busyPort}: address already in use`));
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  } finally {
    busy.close();
    await gateway.stop();
  }
});
