// This replica's gateway connections: what the hub keeps per WebSocket, and the set of them by tenant.
import type { RawData, WebSocket } from 'ws';
import type { InboundQueue } from './inbound-queue.js';
import type { LatestWriter } from './latest-writer.js';
import type { ConnectionRates } from './message-rates.js';
import type { TargetRef } from './unhealthy-targets.js';

export interface GatewayConnection {
  /** Random, per WebSocket: presence entries carry it so that a closing connection removes only its own. */
  id: string;
  socket: WebSocket;
  tenantId: string;
  keyId: string;
  /** The Gateway its key is bound to: it is sent only that Gateway's slice of the config (null: the whole config). */
  gatewayOwner: string | null;
  nodeId: string | null;
  softwareVersion: string;
  configVersion: number | null;
  configHash: string | null;
  /** Version last refused by this gateway, not pushed again until a newer one exists. */
  nackedVersion: number | null;
  lastSeen: number;
  /** Since when this gateway has lagged its tenant's newest version, or null. */
  behindSince: number | null;
  /** Flood protection (issue 12, item 5): bounded inbound queue, rates, and coalesced ack/nack writes. */
  queue: InboundQueue<{ data: RawData; isBinary: boolean }>;
  rates: ConnectionRates;
  ackWriter: LatestWriter<{ version: number; hash: string }>;
  nackWriter: LatestWriter<{ version: number; error: string }>;
  /** Writes the upstream targets this gateway last reported unhealthy to gateway_nodes (coalesced). */
  healthWriter: LatestWriter<TargetRef[]>;
}

/** Whether the connection's socket can still be written. */
export function isOpen(connection: GatewayConnection): boolean {
  return connection.socket.readyState === connection.socket.OPEN;
}

export interface ConnectionRegistry {
  /** Every connection here. */
  readonly all: ReadonlySet<GatewayConnection>;
  add(connection: GatewayConnection): void;
  /** Removes a connection; answers whether it was its tenant's last one here. */
  remove(connection: GatewayConnection): boolean;
  ofTenant(tenantId: string): Iterable<GatewayConnection>;
  /** Whether any connection of the tenant is here. */
  serves(tenantId: string): boolean;
  /** The tenants with connections here. */
  tenants(): string[];
}

export function createConnectionRegistry(): ConnectionRegistry {
  const all = new Set<GatewayConnection>();
  const byTenant = new Map<string, Set<GatewayConnection>>();
  return {
    all,
    add(connection) {
      all.add(connection);
      let connections = byTenant.get(connection.tenantId);
      if (connections === undefined) byTenant.set(connection.tenantId, (connections = new Set()));
      connections.add(connection);
    },
    remove(connection) {
      all.delete(connection);
      const connections = byTenant.get(connection.tenantId);
      if (connections === undefined) return false;
      connections.delete(connection);
      if (connections.size > 0) return false;
      byTenant.delete(connection.tenantId);
      return true;
    },
    ofTenant: (tenantId) => byTenant.get(tenantId) ?? [],
    serves: (tenantId) => byTenant.has(tenantId),
    tenants: () => [...byTenant.keys()],
  };
}
