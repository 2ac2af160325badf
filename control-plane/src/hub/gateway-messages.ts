// One message from a gateway: paced by the connection's message rates, parsed, its telemetry entries granted
// by the rates before the costly validation, validated (protocol.ts), and handed to the hello, report or
// telemetry handler. A broken message closes the connection with the WebSocket code that says why; a message
// of a type this control plane does not know (a newer gateway's) is counted and ignored (DESIGN §10).
import type { RawData } from 'ws';
import type { Logger } from 'winston';
import type { HubProtectionMetrics } from '../telemetry/metrics.js';
import type { GatewayConnection } from './connections.js';
import type { NodeReports } from './node-reports.js';
import { CLOSE_POLICY_VIOLATION, gatewayMessage, type HelloMessage } from '@novagate/gateway/protocol';
import type { TelemetryIntake } from './telemetry-intake.js';
import { createUnknownTypeLabels, unknownMessageType } from './unknown-message-types.js';

export interface GatewayMessagesOptions {
  logger: Logger;
  hello(connection: GatewayConnection, hello: HelloMessage): Promise<void>;
  reports: NodeReports;
  telemetry: TelemetryIntake;
  protectionMetrics: HubProtectionMetrics;
  /** Aborted at shutdown: a message waiting for its rate is then dropped. */
  shutdown: AbortSignal;
}

export const rawBytes = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;

/** Waits `ms`, or less if `signal` aborts (shutdown); never rejects. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Handles one queued message after the message rates allow it (a sender over its rate waits, losing nothing). */
export function createGatewayMessageHandler(options: GatewayMessagesOptions): (connection: GatewayConnection, data: RawData, isBinary: boolean) => Promise<void> {
  const { logger, reports, telemetry, protectionMetrics, shutdown } = options;
  const unknownTypeLabel = createUnknownTypeLabels();

  async function onMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): Promise<void> {
    connection.lastSeen = Date.now();
    if (isBinary) {
      connection.socket.close(1003, 'binary frames are not accepted from gateways');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      connection.socket.close(1007, 'message is not JSON');
      return;
    }
    const unknownType = unknownMessageType(parsed);
    if (unknownType !== null) {
      protectionMetrics.unknownMessages.inc({ type: unknownTypeLabel(unknownType) });
      return;
    }
    // Entries past the rates are dropped before the costly validation: a logs flood mostly costs a JSON.parse.
    const granted = telemetry.granted(connection, parsed);
    if (granted === 0) return;
    const result = gatewayMessage.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      logger.warn('invalid gateway message', { tenantId: connection.tenantId, path: issue?.path.join('.'), problem: issue?.message });
      connection.socket.close(CLOSE_POLICY_VIOLATION, `invalid message: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.slice(0, 120));
      return;
    }
    const message = result.data;
    if (message.type === 'hello') return options.hello(connection, message);
    if (connection.nodeId === null) {
      connection.socket.close(CLOSE_POLICY_VIOLATION, 'hello must come first');
      return;
    }
    switch (message.type) {
      case 'ack':
        reports.ack(connection, message.version, message.hash);
        return;
      case 'nack':
        reports.nack(connection, message.version, message.error);
        return;
      case 'logs':
        await telemetry.logs(connection.tenantId, connection.nodeId, message.entries, granted ?? 0);
        return;
      case 'errors':
        await telemetry.errors(connection.tenantId, message.events, granted ?? 0);
        return;
      case 'health':
        reports.health(connection, message.targets);
        return;
    }
  }

  return async (connection, data, isBinary) => {
    const delayMs = connection.rates.messageDelayMs(rawBytes(data));
    if (delayMs > 0) {
      protectionMetrics.messagesDelayed.inc();
      await pause(delayMs, shutdown);
      if (shutdown.aborted) return;
    }
    await onMessage(connection, data, isBinary);
  };
}
