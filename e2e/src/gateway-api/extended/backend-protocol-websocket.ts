// HTTPRouteBackendProtocolWebSocket: a WebSocket handshake through a route to a Service port with appProtocol
// kubernetes.io/ws (infra-backend-v1's third port) is upgraded end to end: a message sent comes back from the pod,
// and the pod's log shows the upgrade with the client's path and Host.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { eventually, Unmet } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { backendOfPod } from '../weighted-distribution.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute, INFRA_V1_WEBSOCKET_PORT } from './routes.js';

const route = extendedRoute('websocket-backend', [{ backendRefs: [{ name: 'infra-backend-v1', port: INFRA_V1_WEBSOCKET_PORT }] }]);
const host = checkHostname('websocket-backend');

/** Opens a WebSocket to the gateway for `host`, sends `message`, and resolves with the first message back. */
function echoOverWebSocket(gatewayAddress: string, path: string, message: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${gatewayAddress}${path}`, { headers: { host }, handshakeTimeout: timeoutMs });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no message back within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('open', () => socket.send(message));
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(String(data));
    });
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(`the handshake was answered ${response.statusCode}`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export const backendProtocolWebSocket: ExtendedCheck = {
  feature: 'HTTPRouteBackendProtocolWebSocket',
  description: 'a Service port with appProtocol kubernetes.io/ws carries a WebSocket end to end',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const marker = randomUUID();
    const path = `/socket/${marker}`;
    let streak = 0;
    await eventually(context, `a WebSocket to ${host}${path} echoes what is sent (${context.consecutiveSuccesses} times in a row)`, async () => {
      const message = `ping ${marker} ${streak}`;
      const reply = await echoOverWebSocket(address, path, message, 5_000);
      if (reply !== message) {
        streak = 0;
        return { ok: false, seen: `sent ${message}, got back ${reply.slice(0, 200)}` };
      }
      streak++;
      return streak >= context.consecutiveSuccesses ? { ok: true, value: undefined } : { ok: false, seen: `${streak} echoed in a row` };
    });
    const upgrades = context.echoRequests().filter((request) => request.proto === 'websocket' && request.path === path);
    const elsewhere = upgrades.filter((request) => backendOfPod(request.pod) !== 'infra-backend-v1' || request.namespace !== INFRA_NS || request.host !== host);
    if (upgrades.length < context.consecutiveSuccesses || elsewhere.length > 0) {
      throw new Unmet(`expected ${context.consecutiveSuccesses}+ upgrades at infra-backend-v1 with Host ${host}, the pods logged ${JSON.stringify(upgrades.map((r) => `${r.pod} ${r.host}`))}`);
    }
  },
};
