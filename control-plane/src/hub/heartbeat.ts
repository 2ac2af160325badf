// The hub's heartbeat, every ping interval: a connection silent for offlineAfterMs is terminated, the others
// are pinged, their nodes marked in presence, and their admission leases renewed (one statement per tenant).
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import { renewLeases } from '../tenancy/gateway-leases.js';
import { CLOSE_LEASE_EXPIRED, CLOSE_REPLACED } from '@novagate/gateway/protocol';
import type { GatewayConnection } from './connections.js';
import type { NodePresence } from './node-presence.js';

export interface HeartbeatOptions {
  pool: Pool;
  logger: Logger;
  presence: NodePresence;
  connections: () => Iterable<GatewayConnection>;
  pingIntervalMs: number;
  offlineAfterMs: number;
  leaseMs: number;
}

/** Starts the heartbeat; answers the function that stops it. */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  const { pool, logger, presence, leaseMs } = options;

  /**
   * Renews the leases of a tenant's connections here; a connection whose lease another connection took (a
   * NOTIFY missed) is closed with 4409, one whose lease ran out (its slot may be someone else's now) with 4408.
   */
  async function renewTenantLeases(tenantId: string, connections: GatewayConnection[]): Promise<void> {
    const held = connections.flatMap((c) => (c.nodeId === null ? [] : [{ nodeId: c.nodeId, connectionId: c.id }]));
    const states = await renewLeases(pool, tenantId, held, leaseMs);
    for (const connection of connections) {
      const state = states.get(connection.id);
      if (state === 'taken') {
        logger.warn('gateway lease taken by another connection with the same node id', { tenantId, nodeId: connection.nodeId });
        connection.socket.close(CLOSE_REPLACED, `replaced: another connection said hello as node ${connection.nodeId ?? ''}`.slice(0, 120));
      } else if (state === 'expired') {
        logger.warn('gateway lease expired before it could be renewed', { tenantId, nodeId: connection.nodeId });
        connection.socket.close(CLOSE_LEASE_EXPIRED, 'gateway lease expired; reconnect');
      }
    }
  }

  const heartbeat = setInterval(() => {
    const now = Date.now();
    const seenByTenant = new Map<string, GatewayConnection[]>();
    for (const connection of options.connections()) {
      if (now - connection.lastSeen > options.offlineAfterMs) {
        connection.socket.terminate();
        continue;
      }
      connection.socket.ping();
      if (connection.nodeId !== null) {
        void presence.mark(connection).catch(() => undefined);
        const seen = seenByTenant.get(connection.tenantId);
        if (seen === undefined) seenByTenant.set(connection.tenantId, [connection]);
        else seen.push(connection);
      }
    }
    for (const [tenantId, connections] of seenByTenant) void renewTenantLeases(tenantId, connections).catch(() => undefined);
  }, options.pingIntervalMs);
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
