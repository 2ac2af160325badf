// One dedicated PostgreSQL session per replica that LISTENs for config versions and key revocations.
// It reconnects with backoff when the session drops, and reports each (re)connection so the hub can rescan:
// a notification missed meanwhile costs a delay, never a lost update (DESIGN §1).
import pg from 'pg';
import type { Logger } from 'winston';
import { CONFIG_CHANNEL } from '../config/versions.js';
import { KEY_REVOKED_CHANNEL } from '../admin-api/api-keys-router.js';
import { isUuid } from '../tenancy/schema-name.js';
import { TENANT_TOKENS_CHANNEL } from '../auth/token-versions.js';
import { GATEWAY_REPLACED_CHANNEL, replacedNotice, type ReplacedNotice } from './admission.js';

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

  const onNotification = (message: pg.Notification) => {
    let payload: { tenantId?: unknown; version?: unknown; keyId?: unknown };
    try {
      payload = JSON.parse(message.payload ?? '') as typeof payload;
    } catch {
      return;
    }
    if (!isUuid(payload.tenantId)) return;
    if (message.channel === CONFIG_CHANNEL && typeof payload.version === 'number') {
      options.handlers.configChanged(payload.tenantId, payload.version);
    } else if (message.channel === KEY_REVOKED_CHANNEL && isUuid(payload.keyId)) {
      options.handlers.keyRevoked(payload.tenantId, payload.keyId);
    } else if (message.channel === TENANT_TOKENS_CHANNEL) {
      options.handlers.tenantTokensChanged(payload.tenantId);
    } else if (message.channel === GATEWAY_REPLACED_CHANNEL) {
      const notice = replacedNotice(payload);
      if (notice !== null) options.handlers.gatewayReplaced(notice);
    }
  };

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
      await next.query(`LISTEN ${CONFIG_CHANNEL}`);
      await next.query(`LISTEN ${KEY_REVOKED_CHANNEL}`);
      await next.query(`LISTEN ${TENANT_TOKENS_CHANNEL}`);
      await next.query(`LISTEN ${GATEWAY_REPLACED_CHANNEL}`);
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
