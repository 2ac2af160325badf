// The gateway ⇄ control-plane WebSocket connection (DESIGN §6): where a gateway connects, how big a gateway's
// message may be, the heartbeat both sides keep, and the close codes of refusal and admission.

/** Added by the gateway to CONTROL_PLANE_URL; the control plane answers upgrades only on this path. */
export const CONNECT_PATH = '/gateway/v1/connect';
/** Largest message the control plane takes from a gateway (ws maxPayload). */
export const MAX_INBOUND_PAYLOAD_BYTES = 1024 * 1024;
/** The control plane pings every gateway this often. */
export const PING_INTERVAL_MS = 15_000;
/**
 * Three missed pings: a gateway silent this long is offline for the control plane (presence, lease), and a
 * control plane silent this long is a dead connection for the gateway, which reconnects.
 */
export const OFFLINE_AFTER_MS = 45_000;

// WebSocket close codes of admission (4xxx: application codes, mirroring HTTP where one fits).
/** Another connection said hello with the same node id and took its slot (issue 12). */
export const CLOSE_REPLACED = 4409;
/** The connection's lease ran out (its slot may be someone else's now); the gateway reconnects. */
export const CLOSE_LEASE_EXPIRED = 4408;
// Standard codes (RFC 6455) in the meaning the protocol gives them.
/**
 * Policy violation: a message outside the protocol, no hello in time, or a hello refused (the reason says why;
 * a gateway refused with `plan_limit_exceeded` backs off to the cap).
 */
export const CLOSE_POLICY_VIOLATION = 1008;
/** The control plane cannot admit gateways right now (admission failed); the gateway reconnects on its backoff. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
