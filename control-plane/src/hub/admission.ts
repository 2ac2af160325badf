// Gateway admission (issue 12, item 7): whether a hello may take one of its plan's gateway slots, decided in
// PostgreSQL so that every replica agrees and it keeps working while Redis is down. A slot is a lease in the
// tenant's gateway_nodes (tenancy/gateway-leases.ts); this module holds the plan limit, the refusal reasons,
// the per-tenant admission queue and the closing of connections whose lease another one took.
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import { CLOSE_REPLACED } from '@novagate/gateway/protocol';
import { encodeGatewayReplaced, GATEWAY_REPLACED_CHANNEL, type ReplacedNotice } from '../db/notifications.js';
import { takeGatewayLease, type GatewaySlots, type LeaseRequest } from '../tenancy/gateway-leases.js';
import { isOpen, type GatewayConnection } from './connections.js';

export type AdmissionRequest = LeaseRequest;

export type Admission =
  | { admitted: true; /** The live connection whose lease this one took (same node id), or null. */ replaced: string | null }
  | { admitted: false; reason: string };

/** A plan's gateway limit: a node may take a slot while fewer other nodes than the plan allows hold live ones. */
export function withinGatewayLimit(slots: GatewaySlots): boolean {
  return slots.maxGateways === null || slots.otherNodesLive < slots.maxGateways;
}

/**
 * Admits a gateway node or refuses it, in one short transaction under the tenant row's lock, so concurrent
 * hellos on any replica are decided one after another; a live lease of the same node id is taken over and its
 * holder told through NOTIFY on GATEWAY_REPLACED_CHANNEL, sent at COMMIT.
 */
export async function admitGateway(pool: Pool, request: AdmissionRequest): Promise<Admission> {
  const notice: ReplacedNotice = { tenantId: request.tenantId, nodeId: request.nodeId, connection: request.connectionId };
  const lease = await takeGatewayLease(pool, request, withinGatewayLimit, { channel: GATEWAY_REPLACED_CHANNEL, payload: encodeGatewayReplaced(notice) });
  if (lease.taken) return { admitted: true, replaced: lease.replaced };
  if (lease.reason === 'tenant_not_found') return { admitted: false, reason: 'tenant_not_found: the tenant of this API key no longer exists' };
  return { admitted: false, reason: `plan_limit_exceeded: the ${lease.slots.plan} plan allows at most ${lease.slots.maxGateways} gateways` };
}

export interface AdmissionQueue {
  /** Runs `work` after every earlier admission of the same tenant on this replica has finished. */
  run<T>(tenantId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Admissions of one tenant, one at a time on this replica: a burst of hellos (or an attacker's flood of them)
 * then holds one pooled connection waiting for the tenant row lock, not one per hello. Each connection has at
 * most one hello, so the queue is bounded by the connections.
 */
export function createAdmissionQueue(): AdmissionQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run(tenantId, work) {
      const result = (tails.get(tenantId) ?? Promise.resolve()).then(work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(tenantId, tail);
      void tail.then(() => {
        if (tails.get(tenantId) === tail) tails.delete(tenantId);
      });
      return result;
    },
  };
}

/** Closes, with 4409, the connections with this node id except `keep` (the one holding the node's lease now). */
export function closeReplaced(connections: Iterable<GatewayConnection>, nodeId: string, keep: string, logger: Logger): void {
  for (const other of connections) {
    if (other.nodeId !== nodeId || other.id === keep || !isOpen(other)) continue;
    logger.warn('gateway replaced by a newer connection with the same node id', { tenantId: other.tenantId, nodeId });
    other.socket.close(CLOSE_REPLACED, `replaced: another connection said hello as node ${nodeId}`.slice(0, 120));
  }
}
