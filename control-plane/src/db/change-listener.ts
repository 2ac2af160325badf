// One dedicated PostgreSQL session per replica that LISTENs for config versions and key revocations.
// It reconnects with backoff when the session drops, and reports each (re)connection so the hub can rescan:
// a notification missed meanwhile costs a delay, never a lost update (DESIGN §1).
import pg from 'pg';
import type { Logger } from 'winston';
import {
  CONFIG_CHANNEL,
  GATEWAY_REPLACED_CHANNEL,
  KEY_REVOKED_CHANNEL,
  NOTIFICATION_CHANNELS,
  parseConfigChanged,
  parseGatewayReplaced,
  parseKeyRevoked,
  parseTenantTokens,
  TENANT_TOKENS_CHANNEL,
  type ReplacedNotice,
} from '../db/notifications.js';

export interface ChangeHandlers {
  configChanged(tenantId: string, version: number): void;
  keyRevoked(tenantId: string, keyId: string): void;
  tenantTokensChanged(tenantId: string): void;
  /** A gateway node's lease was taken by a new connection (on any replica). */
  gatewayReplaced(notice: ReplacedNotice): void;
  /** After every successful LISTEN, including the first. */
  listening(): void;
  /** When the LISTEN session is lost; notifications may be missed until `listening` is called again. */
  disconnected(): void;
}

export interface ChangeListenerOptions {
  connectionString: string;
  logger: Logger;
  handlers: ChangeHandlers;
  /** First reconnect delay; doubles up to 30 s. */
  reconnectDelayMs?: number;
}

export interface ChangeListener {
  /** The backend pid of the LISTEN session, or null while disconnected (tests terminate it). */
  backendPid(): number | null;
  close(): Promise<void>;
}

export function startChangeListener(options: ChangeListenerOptions): ChangeListener {
  const baseDelay = options.reconnectDelayMs ?? 250;
  let client: pg.Client | null = null;
  let pid: number | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  // Each channel's payload parsed by its codec; a malformed one is ignored.
  const deliver: Record<string, (payload: string | undefined) => void> = {
    [CONFIG_CHANNEL]: (payload) => {
      const notice = parseConfigChanged(payload);
      if (notice !== null) options.handlers.configChanged(notice.tenantId, notice.version);
    },
    [KEY_REVOKED_CHANNEL]: (payload) => {
      const notice = parseKeyRevoked(payload);
      if (notice !== null) options.handlers.keyRevoked(notice.tenantId, notice.keyId);
    },
    [TENANT_TOKENS_CHANNEL]: (payload) => {
      const notice = parseTenantTokens(payload);
      if (notice !== null) options.handlers.tenantTokensChanged(notice.tenantId);
    },
    [GATEWAY_REPLACED_CHANNEL]: (payload) => {
      const notice = parseGatewayReplaced(payload);
      if (notice !== null) options.handlers.gatewayReplaced(notice);
    },
  };
  const onNotification = (message: pg.Notification) => deliver[message.channel]?.(message.payload);

  const scheduleReconnect = () => {
    if (closed || timer !== undefined) return;
    const delay = Math.min(30_000, baseDelay * 2 ** Math.min(attempt, 10));
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: options.connectionString, keepAlive: true });
    next.on('notification', onNotification);
    next.on('error', (error) => {
      options.logger.warn('LISTEN session error', { error: error.message });
    });
    next.on('end', () => {
      if (client === next) {
        client = null;
        pid = null;
        options.handlers.disconnected();
        scheduleReconnect();
      }
    });
    try {
      await next.connect();
      for (const channel of NOTIFICATION_CHANNELS) await next.query(`LISTEN ${channel}`);
      const { rows } = await next.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      pid = rows[0]?.pid ?? null;
      attempt = 0;
      options.logger.info('listening for config changes');
      options.handlers.listening();
    } catch (error) {
      options.logger.warn('LISTEN session could not start', { error: error instanceof Error ? error.message : 'unknown' });
      await next.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  void connect();
  return {
    backendPid: () => pid,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
