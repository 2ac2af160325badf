// The control plane ⇄ gateway WebSocket messages (DESIGN §6): their schemas, and the config frame, encoded
// once per version and shared by every connection (gzip in one binary frame above 8 KiB).
import { gzipSync } from 'node:zlib';
import { z } from 'zod';

export const CONNECT_PATH = '/gateway/v1/connect';
export const MAX_INBOUND_PAYLOAD_BYTES = 1024 * 1024;
export const GZIP_THRESHOLD_BYTES = 8 * 1024;
export const MAX_LOG_ENTRIES_PER_BATCH = 500;
export const PING_INTERVAL_MS = 15_000;
export const OFFLINE_AFTER_MS = 45_000;

// Every string here ends up in PostgreSQL, which cannot store U+0000.
const withoutNul = (value: string) => !value.includes('\u0000');
const capped = z.string().max(256).refine(withoutNul, { message: 'must not contain NUL characters' });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const nodeId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1-128 characters of [A-Za-z0-9._:-]' });

export const helloMessage = z.strictObject({
  type: z.literal('hello'),
  nodeId,
  version: capped,
  configVersion: z.int().min(0).nullable(),
  configHash: sha256.nullable(),
});

export const ackMessage = z.strictObject({ type: z.literal('ack'), version: z.int().min(0), hash: sha256 });
export const nackMessage = z.strictObject({ type: z.literal('nack'), version: z.int().min(0), error: z.string().max(4096).refine(withoutNul, { message: 'must not contain NUL characters' }) });

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

export const gatewayMessage = z.discriminatedUnion('type', [helloMessage, ackMessage, nackMessage, logsMessage, errorsMessage]);
export type GatewayMessage = z.infer<typeof gatewayMessage>;
export type HelloMessage = z.infer<typeof helloMessage>;
export type LogEntry = z.infer<typeof logEntry>;
export type ErrorEvent = z.infer<typeof errorEvent>;

export interface ConfigFrame {
  version: number;
  hash: string;
  /**
   * The serialised message: UTF-8 text below the threshold, gzip bytes above it. A Buffer either way, so that
   * ws sends the same bytes to every connection without encoding the text again for each one.
   */
  data: Buffer;
  binary: boolean;
  /** Size of the JSON message before compression. */
  bytes: number;
}

/** Encodes `{type:'config', version, hash, config}` once for every connection that needs it. */
export function encodeConfigFrame(version: number, hash: string, config: unknown): ConfigFrame {
  const json = JSON.stringify({ type: 'config', version, hash, config });
  const bytes = Buffer.byteLength(json);
  if (bytes <= GZIP_THRESHOLD_BYTES) return { version, hash, data: Buffer.from(json), binary: false, bytes };
  return { version, hash, data: gzipSync(json), binary: true, bytes };
}
