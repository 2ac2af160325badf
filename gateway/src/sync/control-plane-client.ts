// The gateway's side of the control-plane WebSocket (DESIGN §6): connects with its API key on every
// connection, says hello with the config it has, applies pushed configs through the config store and answers
// ack or nack, and reconnects with exponential backoff and full jitter. The last good config keeps serving
// whatever happens to the connection.
import WebSocket from 'ws';
import type { ConfigStore } from '../pipeline/config-store.js';
import { describeProblems } from '../pipeline/config-store.js';
import {
  CLOSE_POLICY_VIOLATION,
  CLOSE_REPLACED,
  CONNECT_PATH,
  decodeConfigFrame,
  OFFLINE_AFTER_MS,
  type AckMessage,
  type GatewayMessage,
  type HelloMessage,
  type NackMessage,
} from '../protocol/index.js';
import type { Logger } from '../telemetry/logger.js';
import { cappedDelay, fullJitterDelay, type BackoffOptions } from './backoff.js';
import { describeConnectionFailure } from './connection-failure.js';

/** Whether a close means reconnecting at once would only be refused again: back off to the cap instead. */
function refusedForNow(code: number, reason: string): boolean {
  return code === CLOSE_REPLACED || (code === CLOSE_POLICY_VIOLATION && reason.startsWith('plan_limit_exceeded'));
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
  send(message: GatewayMessage): boolean;
  close(): Promise<void>;
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
    }, OFFLINE_AFTER_MS);
    silenceTimer.unref();
  };

  // Applies run in order inside the store; the answer goes out once this config is serving or refused.
  const handleConfig = async (ws: WebSocket, data: Buffer, isBinary: boolean) => {
    const decoded = decodeConfigFrame(data, isBinary, options.maxConfigBytes);
    if ('error' in decoded) {
      options.logger.error('config message refused', { error: decoded.error });
      return;
    }
    const result = await options.store.apply(decoded.config, decoded.version);
    const open = ws.readyState === WebSocket.OPEN;
    if (result.ok) {
      const ack: AckMessage = { type: 'ack', version: decoded.version, hash: result.hash };
      if (open) ws.send(JSON.stringify(ack));
    } else {
      const error = describeProblems(result.problems).slice(0, 4000);
      const nack: NackMessage = { type: 'nack', version: decoded.version, error };
      if (open) ws.send(JSON.stringify(nack));
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
      const hello: HelloMessage = {
        type: 'hello',
        nodeId: options.nodeId,
        version: options.softwareVersion,
        configVersion: current?.version ?? null,
        configHash: current?.hash ?? null,
      };
      ws.send(JSON.stringify(hello));
      options.logger.info('connected to the control plane', { url: options.url });
    });
    ws.on('ping', () => armSilenceTimer(ws));
    ws.on('message', (data: Buffer, isBinary) => {
      armSilenceTimer(ws);
      void handleConfig(ws, data, isBinary);
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
