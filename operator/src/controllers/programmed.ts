// The Programmed condition (DESIGN §7): a Route's or Consumer's config version acknowledged by every gateway of
// its tenant seen in the last 45 s (the tenant's gateway_nodes table, where the hub records acks and nacks).
import type { GatewayNodeState } from '@novagate/control-plane/tenancy';
import type { ConditionInput } from '../conditions.js';

/** A gateway seen this recently is online (the data layer's gatewayNodesSeenWithin reads them). */
export const GATEWAY_ONLINE_SECONDS = 45;

export interface ProgrammedResult {
  condition: ConditionInput;
  /** False while waiting for something that sends no Kubernetes event (an ack, a first gateway). */
  settled: boolean;
  /** Waiting for a gateway to connect at all, which can take long: poll less often. */
  idle?: boolean;
}

/** Pure: what the gateways' acks and nacks say about config `version`. */
export function programmedCondition(nodes: readonly GatewayNodeState[], version: number): ProgrammedResult {
  const type = 'Programmed';
  if (nodes.length === 0) {
    return {
      condition: { type, status: 'False', reason: 'NoGateways', message: `no gateway of the tenant is connected; config version ${version} is waiting for one` },
      settled: false,
      idle: true,
    };
  }
  // A node that acked this version or a later one serves it, whatever it refused since.
  const behind = nodes.filter((node) => (node.ackedVersion ?? 0) < version);
  const rejecting = behind.find((node) => node.lastNackVersion !== null && node.lastNackVersion >= version);
  if (rejecting !== undefined) {
    return {
      condition: {
        type,
        status: 'False',
        reason: 'Rejected',
        message: `gateway ${rejecting.nodeId} rejected config version ${rejecting.lastNackVersion}: ${rejecting.lastNackMessage ?? 'no reason given'}`,
      },
      settled: true,
    };
  }
  const waiting = behind;
  if (waiting.length > 0) {
    return {
      condition: {
        type,
        status: 'False',
        reason: 'Pending',
        message: `waiting for ${waiting.length} of ${nodes.length} connected gateways to acknowledge config version ${version}`,
      },
      settled: false,
    };
  }
  return {
    condition: { type, status: 'True', reason: 'Programmed', message: `config version ${version} acknowledged by ${nodes.length} connected gateway(s)` },
    settled: true,
  };
}
