// What a connected node reports about its config: an ack (the version and hash it now runs) or a nack (the
// version it refused and why), and about its upstream targets: health (which are unhealthy). The connection's
// state changes at once; the newest of each is written in the background (latest-writer.ts: coalesced, at most
// one write per reportIntervalMs), acks in tenant batches (ack-recorder.ts).
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import type { HubProtectionMetrics } from '../telemetry/metrics.js';
import { recordNack, recordUnhealthyTargets } from '../tenancy/gateway-nodes.js';
import type { HealthMessage } from '@novagate/gateway/protocol';
import type { AckRecorder } from './ack-recorder.js';
import type { GatewayConnection } from './connections.js';
import type { FrameCache } from './frame-cache.js';
import type { HubMetrics } from './hub-metrics.js';
import { createLatestWriter } from './latest-writer.js';
import type { NodePresence } from './node-presence.js';
import { isCurrent } from './push-decision.js';
import { errorMessage } from './error-message.js';
import { unhealthyTargetsOf } from './unhealthy-targets.js';

export interface NodeReportsOptions {
  pool: Pool;
  logger: Logger;
  acks: AckRecorder;
  presence: NodePresence;
  frames: FrameCache;
  metrics: HubMetrics;
  protectionMetrics: HubProtectionMetrics;
  reportIntervalMs: number;
}

export interface NodeReports {
  /** The ack and nack writers of a connection being created (`connection` answers it once it exists). */
  writers(tenantId: string, connection: () => GatewayConnection): Pick<GatewayConnection, 'ackWriter' | 'nackWriter' | 'healthWriter'>;
  ack(connection: GatewayConnection, version: number, hash: string): void;
  nack(connection: GatewayConnection, version: number, error: string): void;
  /** Takes a health report (every target of the node's config): its unhealthy targets are written in the background. */
  health(connection: GatewayConnection, targets: HealthMessage['targets']): void;
  /** Records that the gateway runs the version and hash it last reported (gateway_nodes, presence, delivered_at). */
  recordRunning(connection: GatewayConnection, nodeId: string, version: number, hash: string): Promise<void>;
}

export function createNodeReports(options: NodeReportsOptions): NodeReports {
  const { pool, logger, acks, presence, frames, metrics, protectionMetrics, reportIntervalMs } = options;

  const recordRunning: NodeReports['recordRunning'] = (connection, nodeId, version, hash) =>
    acks.record(connection.tenantId, { nodeId, version, hash }, presence.entry(connection));

  return {
    writers(tenantId, connectionOf) {
      return {
        ackWriter: createLatestWriter({
          write: async ({ version, hash }) => {
            const connection = connectionOf();
            if (connection.nodeId === null) return;
            protectionMetrics.reportsWritten.inc({ type: 'ack' });
            await recordRunning(connection, connection.nodeId, version, hash);
          },
          coalesced: () => protectionMetrics.reportsCoalesced.inc({ type: 'ack' }),
          minIntervalMs: reportIntervalMs,
          failed: (error) => logger.warn('gateway ack not recorded', { tenantId, error: errorMessage(error) }),
        }),
        nackWriter: createLatestWriter({
          write: async ({ version, error }) => {
            const { nodeId } = connectionOf();
            if (nodeId === null) return;
            protectionMetrics.reportsWritten.inc({ type: 'nack' });
            await recordNack(pool, tenantId, nodeId, version, error);
          },
          coalesced: () => protectionMetrics.reportsCoalesced.inc({ type: 'nack' }),
          minIntervalMs: reportIntervalMs,
          failed: (error) => logger.warn('gateway nack not recorded', { tenantId, error: errorMessage(error) }),
        }),
        healthWriter: createLatestWriter({
          write: async (targets) => {
            const { nodeId, id } = connectionOf();
            if (nodeId === null) return;
            protectionMetrics.reportsWritten.inc({ type: 'health' });
            await recordUnhealthyTargets(pool, tenantId, nodeId, id, targets);
          },
          coalesced: () => protectionMetrics.reportsCoalesced.inc({ type: 'health' }),
          minIntervalMs: reportIntervalMs,
          failed: (error) => logger.warn('gateway health not recorded', { tenantId, error: errorMessage(error) }),
        }),
      };
    },
    ack(connection, version, hash) {
      connection.configVersion = version;
      connection.configHash = hash;
      connection.nackedVersion = null;
      // Current on the frame it is due: a gateway bound to a Gateway runs the tenant's version as that Gateway's slice.
      const newest = frames.current(connection.tenantId);
      const due = frames.frameFor(connection.tenantId, connection.gatewayOwner);
      if (newest !== null && due !== null && isCurrent(connection, due)) {
        connection.behindSince = null;
        metrics.pushSeconds.observe((Date.now() - newest.since) / 1000);
      }
      // Only a node's newest ack matters: written in the background, later acks replace a waiting one.
      connection.ackWriter.submit({ version, hash });
    },
    nack(connection, version, error) {
      // A repeated nack of the same version is neither counted, logged nor written again.
      if (connection.nackedVersion === version) return;
      connection.nackedVersion = version;
      metrics.nacks.inc();
      logger.warn('gateway refused a config version', { tenantId: connection.tenantId, nodeId: connection.nodeId, version });
      connection.nackWriter.submit({ version, error });
    },
    health(connection, targets) {
      const { unhealthy, dropped } = unhealthyTargetsOf(targets);
      if (dropped > 0) protectionMetrics.unhealthyTargetsDropped.inc(dropped);
      // Only the newest list matters: a burst of reports is one write per reportIntervalMs.
      connection.healthWriter.submit(unhealthy);
    },
    recordRunning,
  };
}
