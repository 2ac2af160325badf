// Sends each connection the newest config frame it is due (its tenant's whole config, or for a key bound to a
// Gateway that Gateway's slice: frameOf) when it lacks it (push-decision.ts decides), and keeps each connection's
// `behindSince`, which the out-of-date metric reads.
import type { Counter } from 'prom-client';
import { isOpen, type ConnectionRegistry, type GatewayConnection } from './connections.js';
import type { ConfigFrame } from '@novagate/gateway/protocol';
import { decidePushes, pushDecision, type PushDecision } from './push-decision.js';

export interface ConfigPush {
  /** To each connection of the tenant here that lacks its frame. */
  toTenant(tenantId: string): void;
  /** To one connection (after its hello) if it lacks its frame. */
  toConnection(connection: GatewayConnection): void;
}

/** `frameOf` answers the newest frame known here for a connection, or null when none is. */
export function createConfigPush(connections: ConnectionRegistry, frameOf: (connection: GatewayConnection) => ConfigFrame | null, pushFailures: Counter): ConfigPush {
  function apply(connection: GatewayConnection, decision: PushDecision, frame: ConfigFrame | null): void {
    if (decision.action === 'wait') return;
    if (decision.action === 'current') {
      connection.behindSince = null;
      return;
    }
    connection.behindSince ??= Date.now();
    if (decision.action !== 'send' || frame === null) return;
    connection.socket.send(frame.data, { binary: frame.binary }, (error) => {
      if (error !== undefined && error !== null) pushFailures.inc();
    });
  }

  return {
    toTenant(tenantId) {
      const frames = new Map<GatewayConnection, ConfigFrame | null>();
      const frameOfConnection = (connection: GatewayConnection) => {
        if (!frames.has(connection)) frames.set(connection, frameOf(connection));
        return frames.get(connection) ?? null;
      };
      for (const { connection, decision } of decidePushes(connections.ofTenant(tenantId), frameOfConnection, isOpen)) apply(connection, decision, frameOfConnection(connection));
    },
    toConnection(connection) {
      const frame = frameOf(connection);
      apply(connection, pushDecision(connection, frame, isOpen(connection)), frame);
    },
  };
}
