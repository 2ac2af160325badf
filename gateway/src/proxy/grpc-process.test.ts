// gRPC through a real gateway process (main.ts): an h2c listener in front, a TLS gRPC upstream reached by ALPN h2,
// the log line of a relayed call and of a refusal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { echoClient, startEchoServer, unary, type EchoServer } from '../testing/grpc-echo.js';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '../testing/gateway-process.js';
import { freePort } from '../testing/redis-server.js';
import { makeTestCertificates, type TestCertificates } from '../testing/tls-certificates.js';

let certs: TestCertificates;
let echo: EchoServer;
let gateway: GatewayProcess;
let port: number;

before(async () => {
  certs = makeTestCertificates();
  echo = await startEchoServer({ cert: readFileSync(certs.serverCertFile), key: readFileSync(certs.serverKeyFile) });
  port = await freePort();
  const file = writeConfigFile({
    listeners: [{ name: 'grpc', port, protocol: 'HTTP', http2: true }],
    services: [{ name: 'echo', url: `https://127.0.0.1:${echo.port}`, http2: true }],
    routes: [{ name: 'echo', service: 'echo', paths: ['/test.Echo/*'] }],
  });
  // The upstream's CA, trusted the way an operator would: NODE_EXTRA_CA_CERTS.
  gateway = await startGatewayProcess({ CONFIG_FILE: file, LISTEN_ADDRESS: '127.0.0.1', NODE_EXTRA_CA_CERTS: certs.caFile });
});

after(async () => {
  await gateway?.stop();
  await echo?.close();
});

test('unary and streaming calls reach a TLS upstream over ALPN h2; a refusal logs the HTTP status it stands for', { timeout: 30_000 }, async () => {
  const client = echoClient(port);
  try {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'grpc-process-1');
    const { value, error } = await unary(client, 'Unary', 'tls', metadata);
    assert.equal(error, undefined);
    assert.equal(value, 'echo:tls');
    const failed = await unary(client, 'Fail', 'x');
    assert.equal(failed.error?.code, grpc.status.NOT_FOUND);

    const missing = new grpc.Metadata();
    missing.set('x-request-id', 'grpc-process-404');
    const refused = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest('/other.Service/Call', (s: string) => Buffer.from(s), (b: Buffer) => b.toString(), 'x', missing, {}, (err) => resolve(err)),
    );
    assert.equal(refused?.code, grpc.status.UNIMPLEMENTED);
    assert.match(refused?.details ?? '', /route_not_found/);
  } finally {
    client.close();
  }
  await until(() => gateway.lines.some((line) => line.includes('"requestId":"grpc-process-404"')));
  const relayed = JSON.parse(gateway.lines.find((line) => line.includes('"requestId":"grpc-process-1"')) as string) as { status: number; route: string };
  assert.deepEqual([relayed.status, relayed.route], [200, 'echo']);
  const refusal = JSON.parse(gateway.lines.find((line) => line.includes('"requestId":"grpc-process-404"')) as string) as { status: number; route: string };
  assert.deepEqual([refusal.status, refusal.route], [404, 'unmatched']);
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out waiting for the log lines');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
