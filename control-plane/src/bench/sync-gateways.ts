// The gateway side of `npm run bench:sync`, in its own process (forked by sync.bench.ts) so that 200 protocol
// clients do not share an event loop with the load generator whose writes they time. Each connection acks
// every config it receives and reports to the parent when it did, on the monotonic clock both processes share.
import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { CONNECT_PATH, type AckMessage, type ConfigFrameMessage, type HelloMessage } from '@novagate/gateway/protocol';

export interface GatewaysSetup {
  url: string;
  ca: string;
  tenants: { id: string; key: string }[];
  perTenant: number;
}

/** Child → parent: all connections are up, a node of `tenantId` acked `version` at `atMs`, or this process's CPU time. */
export type GatewaysReport = { type: 'ready' } | { type: 'acked'; tenantId: string; version: number; atMs: number } | { type: 'cpu'; seconds: number };

const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
const report = (message: GatewaysReport) => process.send?.(message);

async function connectAll(setup: GatewaysSetup): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (const tenant of setup.tenants) {
    for (let n = 0; n < setup.perTenant; n++) {
      const socket = new WebSocket(`${setup.url}${CONNECT_PATH}`, { headers: { authorization: `Bearer ${tenant.key}` }, ca: setup.ca, perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.on('message', (data: Buffer, isBinary) => {
        const message = JSON.parse(isBinary ? gunzipSync(data).toString() : data.toString()) as ConfigFrameMessage;
        if (message.type !== 'config') return;
        socket.send(JSON.stringify({ type: 'ack', version: message.version, hash: message.hash } satisfies AckMessage));
        report({ type: 'acked', tenantId: tenant.id, version: message.version, atMs: monotonicMs() });
      });
      socket.send(JSON.stringify({ type: 'hello', nodeId: `bench-${n}`, version: 'bench', configVersion: null, configHash: null } satisfies HelloMessage));
      sockets.push(socket);
    }
  }
  return sockets;
}

process.on('message', (message: GatewaysSetup | 'cpu') => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    report({ type: 'cpu', seconds: (user + system) / 1e6 });
    return;
  }
  connectAll(message).then(
    (sockets) => {
      report({ type: 'ready' });
      process.once('disconnect', () => {
        for (const socket of sockets) socket.terminate();
      });
    },
    (error: unknown) => {
      console.error(`bench gateways: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
});
