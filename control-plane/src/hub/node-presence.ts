// The hub's side of presence (presence.ts): what a connected node's entry says, marking it, removing it when
// the node's last connection here ends, and marking a version delivered when no gateway online lacks it.
import type { Pool } from '../db/pool.js';
import { markDeliveredThrough } from '../tenancy/gateway-nodes.js';
import type { Presence, PresenceEntry } from './presence.js';

/** What presence reads of a connection. */
export interface PresentConnection {
  /** Random, per WebSocket: presence entries carry it so that a closing connection removes only its own. */
  id: string;
  tenantId: string;
  nodeId: string | null;
  configVersion: number | null;
  configHash: string | null;
  lastSeen: number;
}

export interface NodePresence {
  entry(connection: PresentConnection): PresenceEntry;
  /** Marks the connection's node online with what it runs (a connection without an admitted hello: nothing). */
  mark(connection: PresentConnection): Promise<void>;
  /** Removes the node's entry if this connection wrote it. */
  remove(tenantId: string, nodeId: string, connectionId: string): Promise<void>;
  /** Nobody of the tenant is connected here: if nobody online anywhere lacks `version`, it counts as delivered. */
  markDeliveredIfAllAcked(tenantId: string, version: number): Promise<void>;
}

export function createNodePresence(pool: Pool, presence: Presence): NodePresence {
  const entry = (connection: PresentConnection): PresenceEntry => ({
    lastSeen: new Date(connection.lastSeen).toISOString(),
    configVersion: connection.configVersion,
    configHash: connection.configHash,
    connection: connection.id,
  });
  return {
    entry,
    mark(connection) {
      if (connection.nodeId === null) return Promise.resolve();
      return presence.mark(connection.tenantId, connection.nodeId, entry(connection));
    },
    remove: (tenantId, nodeId, connectionId) => presence.remove(tenantId, nodeId, connectionId),
    async markDeliveredIfAllAcked(tenantId, version) {
      const online = await presence.online(tenantId);
      for (const node of online.values()) if ((node.configVersion ?? -1) < version) return;
      await markDeliveredThrough(pool, tenantId, version);
    },
  };
}
