// The gateway ⇄ control-plane messages (DESIGN §6): their schemas, with the limits the control plane enforces
// on what a gateway sends, and the types both sides build and read from them.
import { z } from 'zod';

/** Most entries in one `logs` message, and events in one `errors` message. */
export const MAX_LOG_ENTRIES_PER_BATCH = 500;
/** Longest string in a telemetry message or a hello's version (a gateway cuts its strings to this). */
export const MAX_STRING_LENGTH = 256;
/** Longest error text in a nack. */
export const MAX_NACK_ERROR_LENGTH = 4096;
/** What a node id may be; NODE_ID must fit it (sync/node-id.ts). */
export const NODE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

// Every string a gateway sends ends up in PostgreSQL, which cannot store U+0000.
const withoutNul = (value: string) => !value.includes('\u0000');
const capped = z.string().max(MAX_STRING_LENGTH).refine(withoutNul, { message: 'must not contain NUL characters' });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const nodeId = z.string().regex(NODE_ID_PATTERN, { message: 'must be 1-128 characters of [A-Za-z0-9._:-]' });

// Gateway → control plane.

export const helloMessage = z.strictObject({
  type: z.literal('hello'),
  nodeId,
  version: capped,
  configVersion: z.int().min(0).nullable(),
  configHash: sha256.nullable(),
});

export const ackMessage = z.strictObject({ type: z.literal('ack'), version: z.int().min(0), hash: sha256 });
export const nackMessage = z.strictObject({
  type: z.literal('nack'),
  version: z.int().min(0),
  error: z.string().max(MAX_NACK_ERROR_LENGTH).refine(withoutNul, { message: 'must not contain NUL characters' }),
});

export const logEntry = z.strictObject({
  requestId: capped,
  method: capped,
  pathTemplate: capped,
  status: z.int().min(100).max(599),
  latencyMs: z.number().min(0).max(86_400_000),
  route: capped,
  consumer: capped.optional(),
  time: z.iso.datetime({ offset: true }),
});
export const logsMessage = z.strictObject({
  type: z.literal('logs'),
  entries: z.array(logEntry).max(MAX_LOG_ENTRIES_PER_BATCH),
});

export const errorEvent = z.strictObject({
  code: capped,
  service: capped,
  count: z.int().min(1).max(1_000_000_000),
  time: z.iso.datetime({ offset: true }),
});
export const errorsMessage = z.strictObject({ type: z.literal('errors'), events: z.array(errorEvent).max(MAX_LOG_ENTRIES_PER_BATCH) });

/** Most targets one `health` message reports (every target of every service of a node). */
export const MAX_HEALTH_TARGETS = 10_000;
/**
 * The health of every upstream target of the node's current config (DESIGN §10): sent when a target changes
 * state, and in full on connect. `target` is `host:port` as written in the config, so the set is bounded.
 */
export const healthMessage = z.strictObject({
  type: z.literal('health'),
  targets: z.array(z.strictObject({ service: capped, target: capped, healthy: z.boolean() })).max(MAX_HEALTH_TARGETS),
});

/**
 * Every message a gateway may send. A message of a type not listed here (a newer gateway's) is counted and
 * ignored (DESIGN §10 Compatibility); a malformed message of a listed type closes with 1008.
 */
export const gatewayMessage = z.discriminatedUnion('type', [helloMessage, ackMessage, nackMessage, logsMessage, errorsMessage, healthMessage]);
export type GatewayMessage = z.infer<typeof gatewayMessage>;
export type HelloMessage = z.infer<typeof helloMessage>;
export type AckMessage = z.infer<typeof ackMessage>;
export type NackMessage = z.infer<typeof nackMessage>;
export type LogsMessage = z.infer<typeof logsMessage>;
export type ErrorsMessage = z.infer<typeof errorsMessage>;
export type LogEntry = z.infer<typeof logEntry>;
export type ErrorEvent = z.infer<typeof errorEvent>;
export type HealthMessage = z.infer<typeof healthMessage>;

// Control plane → gateway.

/**
 * `{type:'config', version, hash, config}`. The gateway checks only what it uses: the type and that the version
 * is a JSON number (taken as given, as it always was). The config is checked by the config schema when applied
 * (a bad one is nacked), and the hash a gateway acks is the one it computes itself.
 */
export const configMessage = z.object({
  type: z.literal('config'),
  version: z.custom<number>((value) => typeof value === 'number'),
  config: z.unknown().optional(),
});
export type ConfigMessage = z.infer<typeof configMessage>;
