// A gateway connection's life on this replica: created when its upgrade is accepted (queue, rates, report
// writers), its socket events wired, a hello awaited, and cleaned up when it closes (tenant state forgotten
// with its last connection, the lease released and the presence entry removed once its messages are handled);
// at shutdown every connection is closed and drained within a bound.
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'winston';
import { CLOSE_POLICY_VIOLATION } from '@novagate/gateway/protocol';
import type { Pool } from '../db/pool.js';
import type { HubProtectionMetrics } from '../telemetry/metrics.js';
import { releaseLease } from '../tenancy/gateway-leases.js';
import type { ConnectionRegistry, GatewayConnection } from './connections.js';
import type { FrameCache } from './frame-cache.js';
import { rawBytes } from './gateway-messages.js';
import { createInboundQueue, type InboundQueueLimits } from './inbound-queue.js';
import type { MessageRates } from './message-rates.js';
import type { NodePresence } from './node-presence.js';
import type { NodeReports } from './node-reports.js';
import type { TelemetryIntake } from './telemetry-intake.js';
import type { AuthenticatedGateway } from './upgrade-auth.js';
import { errorMessage } from './error-message.js';

const HELLO_TIMEOUT_MS = 10_000;

export interface ConnectionLifecycleOptions {
  pool: Pool;
  logger: Logger;
  connections: ConnectionRegistry;
  handleMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): Promise<void>;
  rates: MessageRates;
  queueLimits: InboundQueueLimits;
  reports: NodeReports;
  frames: FrameCache;
  telemetry: TelemetryIntake;
  presence: NodePresence;
  protectionMetrics: HubProtectionMetrics;
}

export interface ConnectionLifecycle {
  /** Takes on an accepted WebSocket, authenticated with the key `gateway.keyId` of `gateway.tenantId`. */
  attach(socket: WebSocket, gateway: AuthenticatedGateway): void;
  /**
   * Closes every connection (1001): queued messages and waiting reports are dropped (counted), work in flight
   * gets `drainMs`. Resolves when it is done or the time is up.
   */
  closeAll(drainMs: number): Promise<void>;
}

export function createConnectionLifecycle(options: ConnectionLifecycleOptions): ConnectionLifecycle {
  const { pool, logger, connections, reports, frames, telemetry, presence, protectionMetrics } = options;

  return {
    attach(socket, { tenantId, keyId, gatewayOwner }) {
      const { ackWriter, nackWriter, healthWriter } = reports.writers(tenantId, () => connection);
      const connection: GatewayConnection = {
        id: randomUUID(),
        socket,
        tenantId,
        keyId,
        gatewayOwner,
        nodeId: null,
        softwareVersion: '',
        configVersion: null,
        configHash: null,
        nackedVersion: null,
        lastSeen: Date.now(),
        behindSince: null,
        queue: createInboundQueue({
          limits: options.queueLimits,
          handle: ({ data, isBinary }) => options.handleMessage(connection, data, isBinary),
          pause: () => {
            protectionMetrics.socketsPaused.inc();
            socket.pause();
          },
          resume: () => socket.resume(),
          dropped: (reason, count) => protectionMetrics.messagesDropped.inc({ reason }, count),
          failed: (error) => logger.warn('gateway message failed', { tenantId, error: errorMessage(error) }),
        }),
        rates: options.rates.connection(tenantId),
        ackWriter,
        nackWriter,
        healthWriter,
      };
      connections.add(connection);
      const helloTimer = setTimeout(() => {
        if (connection.nodeId === null) socket.close(CLOSE_POLICY_VIOLATION, 'no hello received');
      }, HELLO_TIMEOUT_MS);
      helloTimer.unref();
      // Messages of one connection are handled in order (an ack must not overtake its hello), from a bounded queue.
      socket.on('message', (data, isBinary) => {
        connection.queue.push({ data, isBinary }, rawBytes(data));
      });
      socket.on('pong', () => {
        connection.lastSeen = Date.now();
      });
      socket.on('error', (error) => logger.debug('gateway socket error', { tenantId, error: error.message }));
      socket.on('close', () => {
        clearTimeout(helloTimer);
        if (connections.remove(connection)) {
          frames.forget(tenantId);
          telemetry.forget(tenantId);
        }
        connection.rates.release();
        // After the messages already received (a hello or an ack still being written would mark the node online
        // again), and not if the node has meanwhile reconnected here.
        void connection.queue
          .idle()
          .then(() => Promise.all([connection.ackWriter.settled(), connection.nackWriter.settled(), connection.healthWriter.settled()]))
          .then(() => {
            const nodeId = connection.nodeId;
            if (nodeId === null) return;
            void releaseLease(pool, tenantId, nodeId, connection.id).catch(() => undefined);
            for (const other of connections.ofTenant(tenantId)) if (other.nodeId === nodeId) return;
            return presence.remove(tenantId, nodeId, connection.id);
          })
          .catch(() => undefined);
      });
    },
    async closeAll(drainMs) {
      // Bounded whatever the backlog: a flooding peer that never answers the close frame is not waited for.
      const open = [...connections.all];
      for (const connection of open) {
        connection.queue.discard();
        for (const writer of [connection.ackWriter, connection.nackWriter, connection.healthWriter]) {
          if (writer.discard()) protectionMetrics.messagesDropped.inc({ reason: 'shutdown' });
        }
        connection.socket.close(1001, 'control plane shutting down');
      }
      const drained = Promise.all(open.map((c) => Promise.all([c.queue.idle(), c.ackWriter.settled(), c.nackWriter.settled(), c.healthWriter.settled()])));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
      clearTimeout(timer);
    },
  };
}
