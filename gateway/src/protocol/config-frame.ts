// The config frame (DESIGN §6): the control plane encodes `{type:'config', version, hash, config}` once per
// version for every connection that needs it, gzip in one binary frame above 8 KiB; the gateway decodes it
// within its MAX_CONFIG_BYTES and checks it against the config message schema.
import { gunzipSync, gzipSync } from 'node:zlib';
import { configMessage, type ConfigMessage } from './messages.js';

export const GZIP_THRESHOLD_BYTES = 8 * 1024;

/** The message a config frame carries, as the control plane sends it (the gateway reads it as a ConfigMessage). */
export interface ConfigFrameMessage {
  type: 'config';
  version: number;
  hash: string;
  config: unknown;
}

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
  const message: ConfigFrameMessage = { type: 'config', version, hash, config };
  const json = JSON.stringify(message);
  const bytes = Buffer.byteLength(json);
  if (bytes <= GZIP_THRESHOLD_BYTES) return { version, hash, data: Buffer.from(json), binary: false, bytes };
  return { version, hash, data: gzipSync(json), binary: true, bytes };
}

/** The config message of a frame as the gateway received it, or why it is refused (logged, never answered). */
export function decodeConfigFrame(data: Buffer, isBinary: boolean, maxBytes: number): ConfigMessage | { error: string } {
  let text: string;
  try {
    // maxOutputLength bounds the decompressed size, so a small gzip bomb cannot exhaust memory.
    text = isBinary ? gunzipSync(data, { maxOutputLength: maxBytes }).toString('utf8') : data.toString('utf8');
  } catch {
    return { error: `config message is not valid gzip or exceeds MAX_CONFIG_BYTES (${maxBytes})` };
  }
  if (Buffer.byteLength(text) > maxBytes) return { error: `config exceeds MAX_CONFIG_BYTES (${maxBytes})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'message is not JSON' };
  }
  const message = configMessage.safeParse(parsed);
  if (message.success) return message.data;
  // `null` has no type to name: it has always been refused as not JSON.
  if (parsed === null) return { error: 'message is not JSON' };
  return { error: `unexpected message type ${String((parsed as { type?: unknown }).type)}` };
}
