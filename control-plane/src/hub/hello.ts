// A gateway's hello: admission (admission.ts, one at a time per tenant here), then the node's state on its
// connection, its presence, the newest config if it lacks it, and its version recorded when it already runs it.
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import { admitGateway, closeReplaced, createAdmissionQueue, type Admission } from './admission.js';
import type { ConfigPush } from './config-push.js';
import { isOpen, type ConnectionRegistry, type GatewayConnection } from './connections.js';
import type { FrameCache } from './frame-cache.js';
import type { NodePresence } from './node-presence.js';
import type { NodeReports } from './node-reports.js';
import { CLOSE_POLICY_VIOLATION, CLOSE_TRY_AGAIN_LATER, type HelloMessage } from '@novagate/gateway/protocol';
import { isCurrent } from './push-decision.js';
import { errorMessage } from './error-message.js';

export interface HelloOptions {
  pool: Pool;
  logger: Logger;
  leaseMs: number;
  connections: ConnectionRegistry;
  presence: NodePresence;
  frames: FrameCache;
  push: ConfigPush;
  reports: NodeReports;
}

export function createHelloHandler(options: HelloOptions): (connection: GatewayConnection, hello: HelloMessage) => Promise<void> {
  const { pool, logger, leaseMs, connections, presence, frames, push, reports } = options;
  const admissions = createAdmissionQueue();

  return async (connection, hello) => {
    if (connection.nodeId !== null) return;
    // Admission is decided in PostgreSQL (admission.ts), never from presence, so it holds across replicas and
    // while Redis is down.
    let admission: Admission;
    try {
      // A connection that closed while its hello waited in the queue costs no transaction.
      admission = await admissions.run(connection.tenantId, async () =>
        !isOpen(connection)
          ? { admitted: false, reason: 'closed: the connection closed before its hello was admitted' }
          : admitGateway(pool, { tenantId: connection.tenantId, nodeId: hello.nodeId, softwareVersion: hello.version, connectionId: connection.id, leaseMs }),
      );
    } catch (error) {
      logger.warn('gateway admission failed', { tenantId: connection.tenantId, error: errorMessage(error) });
      connection.socket.close(CLOSE_TRY_AGAIN_LATER, 'the control plane cannot admit gateways right now; try again later');
      return;
    }
    if (!admission.admitted) {
      logger.info('gateway refused', { tenantId: connection.tenantId, reason: admission.reason.split(':')[0] });
      connection.socket.close(CLOSE_POLICY_VIOLATION, admission.reason.slice(0, 120));
      return;
    }
    connection.nodeId = hello.nodeId;
    connection.softwareVersion = hello.version;
    connection.configVersion = hello.configVersion;
    connection.configHash = hello.configHash;
    // At once here; the NOTIFY that admission sent reaches the other replicas (and this one, a no-op by then).
    if (admission.replaced !== null) closeReplaced(connections.ofTenant(connection.tenantId), hello.nodeId, connection.id, logger);
    // Presence is a view for readers; a hello must not fail because Redis does.
    await presence.mark(connection).catch((error: unknown) => logger.debug('presence write failed', { error: errorMessage(error) }));
    // The frame this connection is due: the whole config, or its Gateway's slice when its key is bound to one.
    // None known here yet (or, for a bound one, the snapshot to slice was not kept): the refresh pushes it.
    let newest = frames.frameFor(connection.tenantId, connection.gatewayOwner);
    if (newest === null) {
      await frames.refresh(connection.tenantId, { snapshot: connection.gatewayOwner !== null });
      newest = frames.frameFor(connection.tenantId, connection.gatewayOwner);
    } else push.toConnection(connection);
    // A gateway that is already on the newest version gets no config and sends no ack: its hello is the ack.
    // This also repairs an ack lost by a control plane that stopped before writing it.
    if (newest !== null && isCurrent(connection, newest)) await reports.recordRunning(connection, hello.nodeId, newest.version, newest.hash);
  };
}
