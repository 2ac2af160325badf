// The gateway's side of the control-plane WebSocket (DESIGN §6): connects with its API key on every
// connection, says hello with the config it has, applies pushed configs through the config store and answers
// ack or nack, and reconnects with exponential backoff and full jitter. The last good config keeps serving
// whatever happens to the connection.
import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import type { ConfigStore } from '../pipeline/config-store.js';
import { describeProblems } from '../pipeline/config-store.js';
import type { Logger } from '../telemetry/logger.js';
import { cappedDelay, fullJitterDelay, type BackoffOptions } from './backoff.js';
import { describeConnectionFailure } from './connection-failure.js';

export const CONNECT_PATH = '/gateway/v1/connect';
/** A control plane pings every 15 s; silence past this means the connection is dead. */
const SILENCE_LIMIT_MS = 45_000;
/** The control plane closes with this when another connection said hello with the same node id (issue 12). */
export const CLOSE_REPLACED = 4409;

/** Whether a close means reconnecting at once would only be refused again: back off to the cap instead. */
function refusedForNow(code: number, reason: string): boolean {
  return code === CLOSE_REPLACED || (code === 1008 && reason.startsWith('plan_limit_exceeded'));
}

export interface ControlPlaneClientOptions {
  /** Base URL such as wss://cp.example.com; CONNECT_PATH is added. */
  url: string;
  apiKey: string;
  /** PEM of the CA that signed the control plane's certificate, when not a public one. */
  ca?: string;
  nodeId: string;
  softwareVersion: string;
  maxConfigBytes: number;
  store: ConfigStore;
  logger: Logger;
  onConnectedChange(connected: boolean): void;
  /** Called after each config message is handled, applied or refused. */
  onConfigHandled?(result: { version: number; applied: boolean }): void;
  backoff?: BackoffOptions;
}

export interface ControlPlaneClient {
  connected(): boolean;
  /** Sends a telemetry message when connected; false when it could not be sent. */
  send(message: object): boolean;
  close(): Promise<void>;
}

interface ConfigMessage {
  type: 'config';
  version: number;
  hash: string;
  config: unknown;
}

function decodeMessage(data: Buffer, isBinary: boolean, maxBytes: number): ConfigMessage | { error: string } {
  let text: string;
  try {
    // maxOutputLength bounds the decompressed size, so a small gzip bomb cannot exhaust memory.
    text = isBinary ? gunzipSync(data, { maxOutputLength: maxBytes }).toString('utf8') : data.toString('utf8');
  } catch {
    return { error: `config message is not valid gzip or exceeds MAX_CONFIG_BYTES (${maxBytes})` };
  }
  if (Buffer.byteLength(text) > maxBytes) return { error: `config exceeds MAX_CONFIG_BYTES (${maxBytes})` };
  try {
    const message = JSON.parse(text) as Partial<ConfigMessage>;
    if (message.type !== 'config' || typeof message.version !== 'number') return { error: `unexpected message type ${String(message.type)}` };
    return message as ConfigMessage;
  } catch {
    return { error: 'message is not JSON' };
  }
}

export function startControlPlaneClient(options: ControlPlaneClientOptions): ControlPlaneClient {
  const backoff = options.backoff ?? { baseMs: 500, capMs: 30_000 };
  const endpoint = `${options.url.replace(/\/+$/, '')}${CONNECT_PATH}`;
  const secure = /^wss:/i.test(options.url);
  let socket: WebSocket | null = null;
  let isConnected = false;
  let closed = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let silenceTimer: NodeJS.Timeout | undefined;

  const setConnected = (value: boolean) => {
    if (isConnected === value) return;
    isConnected = value;
    options.onConnectedChange(value);
  };

  const scheduleReconnect = (atCap = false): number | undefined => {
    if (closed || retryTimer !== undefined) return undefined;
    const delay = atCap ? cappedDelay(backoff) : fullJitterDelay(attempt, backoff);
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
    return delay;
  };

  const armSilenceTimer = (ws: WebSocket) => {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      options.logger.warn('control plane silent, reconnecting');
      ws.terminate();
    }, SILENCE_LIMIT_MS);
    silenceTimer.unref();
  };

  const handleConfig = (ws: WebSocket, data: Buffer, isBinary: boolean) => {
    const decoded = decodeMessage(data, isBinary, options.maxConfigBytes);
    if ('error' in decoded) {
      options.logger.error('config message refused', { error: decoded.error });
      return;
    }
    const result = options.store.apply(decoded.config, decoded.version);
    if (result.ok) {
      ws.send(JSON.stringify({ type: 'ack', version: decoded.version, hash: result.hash }));
    } else {
      const error = describeProblems(result.problems).slice(0, 4000);
      ws.send(JSON.stringify({ type: 'nack', version: decoded.version, error }));
      options.logger.error('config from the control plane refused; the last good config keeps serving', { version: decoded.version, error });
    }
    options.onConfigHandled?.({ version: decoded.version, applied: result.ok });
  };

  function connect(): void {
    if (closed) return;
    const ws = new WebSocket(endpoint, {
      headers: { authorization: `Bearer ${options.apiKey}` },
      ca: options.ca,
      perMessageDeflate: false,
      maxPayload: options.maxConfigBytes + 1024,
      handshakeTimeout: 10_000,
    });
    socket = ws;
    ws.on('open', () => {
      attempt = 0;
      setConnected(true);
      armSilenceTimer(ws);
      const current = options.store.current();
      ws.send(
        JSON.stringify({
          type: 'hello',
          nodeId: options.nodeId,
          version: options.softwareVersion,
          configVersion: current?.version ?? null,
          configHash: current?.hash ?? null,
        }),
      );
      options.logger.info('connected to the control plane', { url: options.url });
    });
    ws.on('ping', () => armSilenceTimer(ws));
    ws.on('message', (data: Buffer, isBinary) => {
      armSilenceTimer(ws);
      handleConfig(ws, data, isBinary);
    });
    ws.on('unexpected-response', (_request, response) => {
      options.logger.error('control plane refused the connection', {
        status: response.statusCode,
        reason: response.statusCode === 401 ? 'API key unknown or revoked' : 'unexpected response',
      });
      response.resume();
      ws.terminate();
    });
    ws.on('error', (error) => {
      const code = (error as { code?: string }).code;
      const failure = describeConnectionFailure({ code, message: error.message, secure, caConfigured: options.ca !== undefined });
      options.logger.warn('control plane connection error', { error: code ?? error.message, cause: failure.cause, hint: failure.hint });
    });
    ws.on('close', (code, reasonBuffer) => {
      clearTimeout(silenceTimer);
      if (socket === ws) socket = null;
      setConnected(false);
      if (closed) return;
      const reason = reasonBuffer.toString('utf8');
      const atCap = refusedForNow(code, reason);
      const retryInMs = scheduleReconnect(atCap);
      if (code === CLOSE_REPLACED) {
        options.logger.error('another gateway connected with the same node id and replaced this one; give each gateway its own NODE_ID', {
          code,
          nodeId: options.nodeId,
          retryInMs,
        });
      } else if (atCap) {
        options.logger.error('the control plane refused this gateway', { code, reason, retryInMs });
      } else {
        options.logger.warn('control plane connection closed', { code, retryInMs });
      }
    });
  }

  connect();
  return {
    connected: () => isConnected,
    send(message) {
      if (socket === null || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(silenceTimer);
      const ws = socket;
      if (ws === null) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, 'gateway shutting down');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2_000).unref();
      });
    },
  };
}
