// Sends a tenant's newest config frame to the connections that need it (push-decision.ts decides) and keeps
// each connection's `behindSince`, which the out-of-date metric reads.
import type { Counter } from 'prom-client';
import { isOpen, type ConnectionRegistry, type GatewayConnection } from './connections.js';
import type { ConfigFrame } from '@novagate/gateway/protocol';
import { decidePushes, pushDecision, type PushDecision } from './push-decision.js';

export interface ConfigPush {
  /** To each connection of the tenant here that lacks `frame`. */
  toTenant(tenantId: string, frame: ConfigFrame): void;
  /** To one connection (after its hello) if it lacks `frame`. */
  toConnection(connection: GatewayConnection, frame: ConfigFrame): void;
}

export function createConfigPush(connections: ConnectionRegistry, pushFailures: Counter): ConfigPush {
  function apply(connection: GatewayConnection, decision: PushDecision, frame: ConfigFrame): void {
    if (decision.action === 'wait') return;
    if (decision.action === 'current') {
      connection.behindSince = null;
      return;
    }
    connection.behindSince ??= Date.now();
    if (decision.action !== 'send') return;
    connection.socket.send(frame.data, { binary: frame.binary }, (error) => {
      if (error !== undefined && error !== null) pushFailures.inc();
    });
  }

  return {
    toTenant(tenantId, frame) {
      for (const { connection, decision } of decidePushes(connections.ofTenant(tenantId), new Map([[tenantId, frame]]), isOpen)) apply(connection, decision, frame);
    },
    toConnection(connection, frame) {
      apply(connection, pushDecision(connection, frame, isOpen(connection)), frame);
    },
  };
}
