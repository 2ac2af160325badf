// Test and bench support: a gateway that floods the hub (issue 12, item 5) as fast as its socket takes the
// messages, for a given time. flood-client-process.ts runs it as a process of its own.
import { MAX_LOG_ENTRIES_PER_BATCH, type AckMessage, type LogsMessage, type NackMessage } from '@novagate/gateway/protocol';
import { helloGateway } from './gateway-client.js';

export type FloodMode = 'logs' | 'acks' | 'nacks';

export interface FloodReport {
  mode: FloodMode;
  sent: number;
  entries: number;
  seconds: number;
  closedBy: 'time' | 'server';
}

function logsMessage(): string {
  const time = new Date().toISOString();
  // The most entries the hub takes in one message.
  const entries = Array.from({ length: MAX_LOG_ENTRIES_PER_BATCH }, (_, i) => ({
    requestId: `flood-${Date.now()}-${i}`,
    method: 'GET',
    pathTemplate: '/users/:id',
    status: 200,
    latencyMs: 1.25,
    route: 'get-user',
    consumer: 'mobile-app',
    time,
  }));
  return JSON.stringify({ type: 'logs', entries } satisfies LogsMessage);
}

export async function flood(url: string, apiKey: string, mode: FloodMode, seconds: number, nodeId = `flooder-${process.pid}`): Promise<FloodReport> {
  const gateway = await helloGateway(url, apiKey, { nodeId });
  const config = await gateway.nextConfig();
  const logs = logsMessage(); // the same batch every time: the client spends its CPU on sending, not on JSON
  const nack = JSON.stringify({ type: 'nack', version: config.version, error: 'refused by the flood client' } satisfies NackMessage);
  let closed = false;
  void gateway.closed.then(() => (closed = true));
  const started = performance.now();
  const endAt = started + seconds * 1000;
  let sent = 0;
  // readyState too: on a closing socket ws fails sends on the next tick, and a loop of those never yields to I/O.
  while (!closed && gateway.socket.readyState === gateway.socket.OPEN && performance.now() < endAt) {
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < 50; i++) {
      const message = mode === 'logs' ? logs : mode === 'nacks' ? nack : JSON.stringify({ type: 'ack', version: config.version + sent, hash: config.hash } satisfies AckMessage);
      last = new Promise<void>((resolve) => gateway.socket.send(message, () => resolve()));
      sent += 1;
    }
    // Waits until the kernel took the last one: a hub that stops reading slows this loop down, as TCP should.
    await Promise.race([last, gateway.closed]);
  }
  const report: FloodReport = {
    mode,
    sent,
    entries: mode === 'logs' ? sent * MAX_LOG_ENTRIES_PER_BATCH : 0,
    seconds: (performance.now() - started) / 1000,
    closedBy: performance.now() < endAt ? 'server' : 'time',
  };
  gateway.socket.terminate();
  return report;
}
