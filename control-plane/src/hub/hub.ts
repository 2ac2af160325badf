// The gateway hub: authenticates WebSocket upgrades by API key, keeps one entry per connected gateway,
// pushes each tenant's newest config version (collapsing bursts), records acks and nacks, stores telemetry,
// and keeps presence. Changes arrive from the LISTEN session (configChanged/keyRevoked) and rescans.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from 'winston';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { parseTrustedProxies } from '@novagate/gateway/client-address';
import type { Pool } from '../db/pool.js';
import { revokedKeyIds } from './gateway-keys.js';
import { createAckRecorder } from './ack-recorder.js';
import { newestTenantConfig } from './newest-config.js';
import { recordNack } from './gateway-nodes.js';
import { admitGateway, createAdmissionQueue, releaseLease, renewLeases, type Admission } from './admission.js';
import type { ReplacedNotice } from '../db/notifications.js';
import type { Presence } from './presence.js';
import {
  CLOSE_LEASE_EXPIRED,
  CLOSE_REPLACED,
  CONNECT_PATH,
  encodeConfigFrame,
  gatewayMessage,
  MAX_INBOUND_PAYLOAD_BYTES,
  MAX_LOG_ENTRIES_PER_BATCH,
  OFFLINE_AFTER_MS,
  PING_INTERVAL_MS,
  type ConfigFrame,
  type HelloMessage,
} from '@novagate/gateway/protocol';
import { storeErrorEvents } from './telemetry-store.js';
import { tenantStatement } from '../tenancy/tenant-transaction.js';
import { createHubProtectionMetrics } from '../telemetry/metrics.js';
import { createInboundQueue, DEFAULT_INBOUND_QUEUE_LIMITS, type InboundQueue, type InboundQueueLimits } from './inbound-queue.js';
import { createKeyGuessThrottle, DEFAULT_KEY_GUESS_RULE, type KeyGuessRule } from './key-guess-throttle.js';
import { createLatestWriter, type LatestWriter } from './latest-writer.js';
import { createMessageRates, DEFAULT_MESSAGE_RATES, type ConnectionRates, type MessageRateRules } from './message-rates.js';
import { createTelemetryQuota } from './telemetry-quota.js';
import { createUpgradeAuth } from './upgrade-auth.js';

const HELLO_TIMEOUT_MS = 10_000;
const OUT_OF_DATE_AFTER_MS = 60_000;

interface GatewayConnection {
  /** Random, per WebSocket: presence entries carry it so that a closing connection removes only its own. */
  id: string;
  socket: WebSocket;
  tenantId: string;
  keyId: string;
  nodeId: string | null;
  softwareVersion: string;
  configVersion: number | null;
  configHash: string | null;
  /** Version last refused by this gateway, not pushed again until a newer one exists. */
  nackedVersion: number | null;
  lastSeen: number;
  /** Since when this gateway has lagged its tenant's newest version, or null. */
  behindSince: number | null;
  /** Flood protection (issue 12, item 5): bounded inbound queue, rates, and coalesced ack/nack writes. */
  queue: InboundQueue<{ data: RawData; isBinary: boolean }>;
  rates: ConnectionRates;
  ackWriter: LatestWriter<{ version: number; hash: string }>;
  nackWriter: LatestWriter<{ version: number; error: string }>;
}

interface TenantState {
  connections: Set<GatewayConnection>;
  frame: ConfigFrame | null;
  /** When this replica learned of `frame`'s version, for the push-latency metric. */
  frameSince: number;
  /** The refresh in flight: later callers wait for it (a hello must see the frame it loads). */
  refreshing: Promise<void> | null;
  refreshAgain: boolean;
}

export interface HubOptions {
  pool: Pool;
  logger: Logger;
  presence: Presence;
  registry: Registry;
  maxConfigBytes: number;
  pingIntervalMs?: number;
  offlineAfterMs?: number;
  /** How long an admitted node's slot lasts without a renewal (the heartbeat renews it every ping interval). */
  leaseMs?: number;
  /** TRUSTED_PROXIES: whose X-Forwarded-For names the client address that key guessing is throttled by. */
  trustedProxies?: string[];
  protection?: Partial<HubProtection>;
}

/** The bounds of issue 12, items 5 and 13; tests shrink them. */
export interface HubProtection {
  queue: InboundQueueLimits;
  rates: MessageRateRules;
  keyGuesses: KeyGuessRule;
  /** Least time between two writes of one node's acks (or nacks); the newest in between is the one written. */
  reportIntervalMs: number;
  /** How long close() waits for work in flight before dropping the rest and terminating sockets. */
  drainMs: number;
}

export const DEFAULT_HUB_PROTECTION: HubProtection = {
  queue: DEFAULT_INBOUND_QUEUE_LIMITS,
  rates: DEFAULT_MESSAGE_RATES,
  keyGuesses: DEFAULT_KEY_GUESS_RULE,
  reportIntervalMs: 100,
  drainMs: 3_000,
};

export interface Hub {
  /** Handles an HTTP upgrade; answers 404 off the connect path and 401 without a valid key. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  configChanged(tenantId: string, version: number): void;
  keyRevoked(tenantId: string, keyId: string): void;
  /** Closes, with 4409, this replica's connections of the node id other than the one that now holds its lease. */
  gatewayReplaced(notice: ReplacedNotice): void;
  /** Re-reads every served tenant's newest version and re-checks every connection's key. */
  rescan(): Promise<void>;
  connectionCount(): number;
  /** Inbound messages queued on every connection together (bounded: see HubProtection.queue). */
  inboundQueued(): number;
  close(): Promise<void>;
}

const UPGRADE_REASONS = { 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;

function rejectUpgrade(socket: Duplex, status: 401 | 404 | 429 | 503, code: string, message: string, retryAfterSeconds?: number): void {
  const body = JSON.stringify({ error: { code, message } });
  const retryAfter = retryAfterSeconds === undefined ? '' : `Retry-After: ${retryAfterSeconds}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${UPGRADE_REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}Connection: close\r\n\r\n${body}`,
  );
}

/** Waits `ms`, or less if `signal` aborts (shutdown); never rejects. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export function createHub(options: HubOptions): Hub {
  const { pool, logger, presence } = options;
  const pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
  const offlineAfterMs = options.offlineAfterMs ?? OFFLINE_AFTER_MS;
  const leaseMs = options.leaseMs ?? OFFLINE_AFTER_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_PAYLOAD_BYTES, perMessageDeflate: false });
  const tenants = new Map<string, TenantState>();
  const all = new Set<GatewayConnection>();
  const acks = createAckRecorder(pool, presence);
  const admissions = createAdmissionQueue();
  const protection: HubProtection = { ...DEFAULT_HUB_PROTECTION, ...options.protection };
  const protectionMetrics = createHubProtectionMetrics(options.registry, () => {
    let queued = 0;
    for (const connection of all) queued += connection.queue.length();
    return queued;
  });
  const rates = createMessageRates(protection.rates);
  const quota = createTelemetryQuota(pool);
  const authenticateUpgrade = createUpgradeAuth({
    db: pool,
    logger,
    failures: protectionMetrics.authFailures,
    throttle: createKeyGuessThrottle(protection.keyGuesses),
    trustedProxies: parseTrustedProxies((options.trustedProxies ?? []).join(',')),
  });
  const shutdown = new AbortController();

  const metrics = {
    connected: new Gauge({
      name: 'novagate_gateways_connected',
      help: 'Gateway WebSocket connections on this replica',
      registers: [options.registry],
      collect() {
        this.set(all.size);
      },
    }),
    outOfDate: new Gauge({
      name: 'novagate_gateways_out_of_date',
      help: "Online gateways not on their tenant's newest config version for over 60 s",
      registers: [options.registry],
      collect() {
        const now = Date.now();
        let count = 0;
        for (const connection of all) if (connection.behindSince !== null && now - connection.behindSince > OUT_OF_DATE_AFTER_MS) count++;
        this.set(count);
      },
    }),
    pushSeconds: new Histogram({
      name: 'novagate_config_push_seconds',
      help: 'From this replica learning of a config version to a gateway acknowledging it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [options.registry],
    }),
    pushFailures: new Counter({
      name: 'novagate_config_push_failures_total',
      help: 'Config pushes that could not be sent (oversized snapshot, closed socket, database error)',
      registers: [options.registry],
    }),
    nacks: new Counter({ name: 'novagate_config_nacks_total', help: 'Config versions refused by gateways', registers: [options.registry] }),
    snapshotBytes: new Histogram({
      name: 'novagate_config_snapshot_bytes',
      help: 'Size of config snapshots before compression',
      buckets: [1024, 8192, 65536, 262144, 1048576, 4194304, 16777216],
      registers: [options.registry],
    }),
  };

  const tenantState = (tenantId: string): TenantState => {
    let state = tenants.get(tenantId);
    if (state === undefined) {
      state = { connections: new Set(), frame: null, frameSince: Date.now(), refreshing: null, refreshAgain: false };
      tenants.set(tenantId, state);
    }
    return state;
  };

  const describe = (error: unknown) => (error instanceof Error ? error.message : 'unknown error');

  function isCurrent(connection: GatewayConnection, frame: ConfigFrame): boolean {
    return connection.configVersion === frame.version && connection.configHash === frame.hash;
  }

  /** Sends the tenant's newest frame to a gateway that said hello and lacks it (DESIGN §6: behind, ahead, or other hash). */
  function pushIfNeeded(connection: GatewayConnection, state: TenantState): void {
    const frame = state.frame;
    if (frame === null || connection.nodeId === null) return;
    if (isCurrent(connection, frame)) {
      connection.behindSince = null;
      return;
    }
    connection.behindSince ??= Date.now();
    if (connection.nackedVersion === frame.version) return;
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(frame.data, { binary: frame.binary }, (error) => {
      if (error !== undefined && error !== null) metrics.pushFailures.inc();
    });
  }

  /**
   * Loads the tenant's newest version (once, however many notifications arrive meanwhile) and pushes it.
   * A call during a refresh asks for one more round and resolves when the refresh, that round included, ends.
   */
  function refreshTenant(tenantId: string): Promise<void> {
    const state = tenants.get(tenantId);
    if (state === undefined || state.connections.size === 0) return Promise.resolve();
    if (state.refreshing !== null) {
      state.refreshAgain = true;
      return state.refreshing;
    }
    const refreshing = (async () => {
      await Promise.resolve(); // the body runs after `state.refreshing` is set, whatever it throws
      try {
        do {
          state.refreshAgain = false;
          const latest = await newestTenantConfig(pool, tenantId, state.frame);
          if (latest === null) break;
          if (latest.config !== null) {
            const frame = encodeConfigFrame(latest.version, latest.hash, latest.config);
            metrics.snapshotBytes.observe(frame.bytes);
            if (frame.bytes > options.maxConfigBytes) {
              metrics.pushFailures.inc();
              logger.error('config snapshot exceeds MAX_CONFIG_BYTES; not pushed', { tenantId, version: latest.version, bytes: frame.bytes });
              break;
            }
            state.frame = frame;
            state.frameSince = Date.now();
          }
          for (const connection of state.connections) pushIfNeeded(connection, state);
        } while (state.refreshAgain);
      } catch (error) {
        metrics.pushFailures.inc();
        logger.warn('config refresh failed', { tenantId, error: describe(error) });
      } finally {
        state.refreshing = null;
      }
    })();
    state.refreshing = refreshing;
    return refreshing;
  }

  async function markDeliveredIfAllAcked(tenantId: string, version: number): Promise<void> {
    const online = await presence.online(tenantId);
    for (const entry of online.values()) if ((entry.configVersion ?? -1) < version) return;
    await tenantStatement(
      pool,
      tenantId,
      'UPDATE public.pending_config_updates SET delivered_at = now() WHERE tenant_id = $1 AND version <= $2 AND delivered_at IS NULL',
      [tenantId, version],
    );
  }

  const presenceEntry = (connection: GatewayConnection) => ({
    lastSeen: new Date(connection.lastSeen).toISOString(),
    configVersion: connection.configVersion,
    configHash: connection.configHash,
    connection: connection.id,
  });

  function markPresence(connection: GatewayConnection): Promise<void> {
    if (connection.nodeId === null) return Promise.resolve();
    return presence.mark(connection.tenantId, connection.nodeId, presenceEntry(connection));
  }

  /** Records that the gateway runs the version and hash it last reported (gateway_nodes, presence, delivered_at). */
  function recordRunning(connection: GatewayConnection, nodeId: string, version: number, hash: string): Promise<void> {
    return acks.record(connection.tenantId, { nodeId, version, hash }, presenceEntry(connection));
  }

  /** Closes the tenant's connections with this node id except `keep` (the one holding the node's lease now). */
  function closeReplaced(tenantId: string, nodeId: string, keep: string): void {
    for (const other of tenants.get(tenantId)?.connections ?? []) {
      if (other.nodeId !== nodeId || other.id === keep || other.socket.readyState !== other.socket.OPEN) continue;
      logger.warn('gateway replaced by a newer connection with the same node id', { tenantId, nodeId });
      other.socket.close(CLOSE_REPLACED, `replaced: another connection said hello as node ${nodeId}`.slice(0, 120));
    }
  }

  async function onHello(connection: GatewayConnection, hello: HelloMessage): Promise<void> {
    if (connection.nodeId !== null) return;
    // Admission is decided in PostgreSQL (admission.ts), never from presence, so it holds across replicas and
    // while Redis is down.
    let admission: Admission;
    try {
      // A connection that closed while its hello waited in the queue costs no transaction.
      admission = await admissions.run(connection.tenantId, async () =>
        connection.socket.readyState !== connection.socket.OPEN
          ? { admitted: false, reason: 'closed: the connection closed before its hello was admitted' }
          : admitGateway(pool, { tenantId: connection.tenantId, nodeId: hello.nodeId, softwareVersion: hello.version, connectionId: connection.id, leaseMs }),
      );
    } catch (error) {
      logger.warn('gateway admission failed', { tenantId: connection.tenantId, error: describe(error) });
      connection.socket.close(1013, 'the control plane cannot admit gateways right now; try again later');
      return;
    }
    if (!admission.admitted) {
      logger.info('gateway refused', { tenantId: connection.tenantId, reason: admission.reason.split(':')[0] });
      connection.socket.close(1008, admission.reason.slice(0, 120));
      return;
    }
    connection.nodeId = hello.nodeId;
    connection.softwareVersion = hello.version;
    connection.configVersion = hello.configVersion;
    connection.configHash = hello.configHash;
    // At once here; the NOTIFY that admission sent reaches the other replicas (and this one, a no-op by then).
    if (admission.replaced !== null) closeReplaced(connection.tenantId, hello.nodeId, connection.id);
    // Presence is a view for readers; a hello must not fail because Redis does.
    await markPresence(connection).catch((error: unknown) => logger.debug('presence write failed', { error: describe(error) }));
    const state = tenantState(connection.tenantId);
    if (state.frame === null) await refreshTenant(connection.tenantId);
    else pushIfNeeded(connection, state);
    // A gateway that is already on the newest version gets no config and sends no ack: its hello is the ack.
    // This also repairs an ack lost by a control plane that stopped before writing it.
    if (state.frame !== null && isCurrent(connection, state.frame)) await recordRunning(connection, hello.nodeId, state.frame.version, state.frame.hash);
  }

  async function onMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): Promise<void> {
    connection.lastSeen = Date.now();
    if (isBinary) {
      connection.socket.close(1003, 'binary frames are not accepted from gateways');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      connection.socket.close(1007, 'message is not JSON');
      return;
    }
    // Entries past the rates are dropped before the costly validation: a logs flood mostly costs a JSON.parse.
    const granted = logEntriesGranted(connection, parsed);
    if (granted === 0) return;
    const result = gatewayMessage.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      logger.warn('invalid gateway message', { tenantId: connection.tenantId, path: issue?.path.join('.'), problem: issue?.message });
      connection.socket.close(1008, `invalid message: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.slice(0, 120));
      return;
    }
    const message = result.data;
    if (message.type === 'hello') return onHello(connection, message);
    if (connection.nodeId === null) {
      connection.socket.close(1008, 'hello must come first');
      return;
    }
    const state = tenantState(connection.tenantId);
    switch (message.type) {
      case 'ack': {
        connection.configVersion = message.version;
        connection.configHash = message.hash;
        connection.nackedVersion = null;
        if (state.frame !== null && isCurrent(connection, state.frame)) {
          connection.behindSince = null;
          metrics.pushSeconds.observe((Date.now() - state.frameSince) / 1000);
        }
        // Only a node's newest ack matters: written in the background, later acks replace a waiting one.
        connection.ackWriter.submit({ version: message.version, hash: message.hash });
        return;
      }
      case 'nack': {
        // A repeated nack of the same version is neither counted, logged nor written again.
        if (connection.nackedVersion === message.version) return;
        connection.nackedVersion = message.version;
        metrics.nacks.inc();
        logger.warn('gateway refused a config version', { tenantId: connection.tenantId, nodeId: connection.nodeId, version: message.version });
        connection.nackWriter.submit({ version: message.version, error: message.error });
        return;
      }
      case 'logs': {
        const { stored, overQuota } = await quota.storeRequestLogs(connection.tenantId, connection.nodeId, message.entries.slice(0, granted ?? 0));
        protectionMetrics.requestLogRowsWritten.inc(stored);
        if (overQuota > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'quota' }, overQuota);
        return;
      }
      case 'errors':
        await storeErrorEvents(pool, connection.tenantId, message.events.slice(0, granted ?? 0));
        return;
    }
  }

  /**
   * For a parsed `logs` or `errors` message of a gateway that said hello: how many of its entries (events) the
   * connection's and tenant's rates let through, the rest counted as dropped. Error events share the log
   * entries' rates (a gateway aggregates them per second, so few ever arrive). Null for any other message.
   */
  function logEntriesGranted(connection: GatewayConnection, parsed: unknown): number | null {
    if (connection.nodeId === null || typeof parsed !== 'object' || parsed === null) return null;
    const { type, entries, events } = parsed as { type?: unknown; entries?: unknown; events?: unknown };
    const list = type === 'logs' ? entries : type === 'errors' ? events : undefined;
    if (!Array.isArray(list) || list.length > MAX_LOG_ENTRIES_PER_BATCH) return null; // validation refuses it
    const count = list.length;
    const grant = connection.rates.logEntries(count);
    if (grant.droppedByConnection > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'connection_rate' }, grant.droppedByConnection);
    if (grant.droppedByTenant > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'tenant_rate' }, grant.droppedByTenant);
    return grant.granted;
  }

  /** Handles one queued message after the message rates allow it (a sender over its rate waits, losing nothing). */
  async function handleQueued(connection: GatewayConnection, data: RawData, isBinary: boolean): Promise<void> {
    const delayMs = connection.rates.messageDelayMs(rawBytes(data));
    if (delayMs > 0) {
      protectionMetrics.messagesDelayed.inc();
      await pause(delayMs, shutdown.signal);
      if (shutdown.signal.aborted) return;
    }
    await onMessage(connection, data, isBinary);
  }

  const rawBytes = (data: RawData): number =>
    Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;

  function attach(socket: WebSocket, tenantId: string, keyId: string): void {
    const connection: GatewayConnection = {
      id: randomUUID(),
      socket,
      tenantId,
      keyId,
      nodeId: null,
      softwareVersion: '',
      configVersion: null,
      configHash: null,
      nackedVersion: null,
      lastSeen: Date.now(),
      behindSince: null,
      queue: createInboundQueue({
        limits: protection.queue,
        handle: ({ data, isBinary }) => handleQueued(connection, data, isBinary),
        pause: () => {
          protectionMetrics.socketsPaused.inc();
          socket.pause();
        },
        resume: () => socket.resume(),
        dropped: (reason, count) => protectionMetrics.messagesDropped.inc({ reason }, count),
        failed: (error) => logger.warn('gateway message failed', { tenantId, error: describe(error) }),
      }),
      rates: rates.connection(tenantId),
      ackWriter: createLatestWriter({
        write: async ({ version, hash }) => {
          if (connection.nodeId === null) return;
          protectionMetrics.reportsWritten.inc({ type: 'ack' });
          await recordRunning(connection, connection.nodeId, version, hash);
        },
        coalesced: () => protectionMetrics.reportsCoalesced.inc({ type: 'ack' }),
        minIntervalMs: protection.reportIntervalMs,
        failed: (error) => logger.warn('gateway ack not recorded', { tenantId, error: describe(error) }),
      }),
      nackWriter: createLatestWriter({
        write: async ({ version, error }) => {
          if (connection.nodeId === null) return;
          protectionMetrics.reportsWritten.inc({ type: 'nack' });
          await recordNack(pool, tenantId, connection.nodeId, version, error);
        },
        coalesced: () => protectionMetrics.reportsCoalesced.inc({ type: 'nack' }),
        minIntervalMs: protection.reportIntervalMs,
        failed: (error) => logger.warn('gateway nack not recorded', { tenantId, error: describe(error) }),
      }),
    };
    all.add(connection);
    tenantState(tenantId).connections.add(connection);
    const helloTimer = setTimeout(() => {
      if (connection.nodeId === null) socket.close(1008, 'no hello received');
    }, HELLO_TIMEOUT_MS);
    helloTimer.unref();
    // Messages of one connection are handled in order (an ack must not overtake its hello), from a bounded queue.
    socket.on('message', (data, isBinary) => {
      connection.queue.push({ data, isBinary }, rawBytes(data));
    });
    socket.on('pong', () => {
      connection.lastSeen = Date.now();
    });
    socket.on('error', (error) => logger.debug('gateway socket error', { tenantId, error: error.message }));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      all.delete(connection);
      const state = tenants.get(tenantId);
      state?.connections.delete(connection);
      if (state !== undefined && state.connections.size === 0) {
        tenants.delete(tenantId);
        quota.forget(tenantId);
      }
      connection.rates.release();
      // After the messages already received (a hello or an ack still being written would mark the node online
      // again), and not if the node has meanwhile reconnected here.
      void connection.queue
        .idle()
        .then(() => Promise.all([connection.ackWriter.settled(), connection.nackWriter.settled()]))
        .then(() => {
          const nodeId = connection.nodeId;
          if (nodeId === null) return;
          void releaseLease(pool, tenantId, nodeId, connection.id).catch(() => undefined);
          for (const other of tenants.get(tenantId)?.connections ?? []) if (other.nodeId === nodeId) return;
          return presence.remove(tenantId, nodeId, connection.id);
        })
        .catch(() => undefined);
    });
  }

  /**
   * Renews the leases of a tenant's connections here; a connection whose lease another connection took (a
   * NOTIFY missed) is closed with 4409, one whose lease ran out (its slot may be someone else's now) with 4408.
   */
  async function renewTenantLeases(tenantId: string, connections: GatewayConnection[]): Promise<void> {
    const held = connections.flatMap((c) => (c.nodeId === null ? [] : [{ nodeId: c.nodeId, connectionId: c.id }]));
    const states = await renewLeases(pool, tenantId, held, leaseMs);
    for (const connection of connections) {
      const state = states.get(connection.id);
      if (state === 'taken') {
        logger.warn('gateway lease taken by another connection with the same node id', { tenantId, nodeId: connection.nodeId });
        connection.socket.close(CLOSE_REPLACED, `replaced: another connection said hello as node ${connection.nodeId ?? ''}`.slice(0, 120));
      } else if (state === 'expired') {
        logger.warn('gateway lease expired before it could be renewed', { tenantId, nodeId: connection.nodeId });
        connection.socket.close(CLOSE_LEASE_EXPIRED, 'gateway lease expired; reconnect');
      }
    }
  }

  const heartbeat = setInterval(() => {
    const now = Date.now();
    const seenByTenant = new Map<string, GatewayConnection[]>();
    for (const connection of all) {
      if (now - connection.lastSeen > offlineAfterMs) {
        connection.socket.terminate();
        continue;
      }
      connection.socket.ping();
      if (connection.nodeId !== null) {
        void markPresence(connection).catch(() => undefined);
        const seen = seenByTenant.get(connection.tenantId);
        if (seen === undefined) seenByTenant.set(connection.tenantId, [connection]);
        else seen.push(connection);
      }
    }
    for (const [tenantId, connections] of seenByTenant) void renewTenantLeases(tenantId, connections).catch(() => undefined);
  }, pingIntervalMs);
  heartbeat.unref();

  return {
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== CONNECT_PATH) return rejectUpgrade(socket, 404, 'not_found', `no WebSocket endpoint at ${path}`);
      if (shutdown.signal.aborted) return rejectUpgrade(socket, 503, 'unavailable', 'the control plane is shutting down');
      authenticateUpgrade(req)
        .then((gateway) => {
          if (!gateway.ok) return rejectUpgrade(socket, gateway.status, gateway.code, gateway.message, gateway.retryAfterSeconds);
          wss.handleUpgrade(req, socket, head, (ws) => attach(ws, gateway.tenantId, gateway.keyId));
        })
        .catch(() => socket.destroy());
    },
    configChanged(tenantId, version) {
      const state = tenants.get(tenantId);
      if (state === undefined) {
        // Nobody of this tenant is connected here; if nobody is online anywhere, the version counts as delivered.
        void markDeliveredIfAllAcked(tenantId, version).catch(() => undefined);
        return;
      }
      if (state.frame !== null && state.frame.version === version) return;
      void refreshTenant(tenantId);
    },
    gatewayReplaced(notice) {
      closeReplaced(notice.tenantId, notice.nodeId, notice.connection);
    },
    keyRevoked(tenantId, keyId) {
      for (const connection of tenants.get(tenantId)?.connections ?? []) {
        if (connection.keyId === keyId) connection.socket.close(4401, 'API key revoked');
      }
    },
    async rescan() {
      const revoked = await revokedKeyIds(pool, [...new Set([...all].map((c) => c.keyId))]);
      for (const connection of all) if (revoked.has(connection.keyId)) connection.socket.close(4401, 'API key revoked');
      await Promise.all([...tenants.keys()].map((tenantId) => refreshTenant(tenantId)));
    },
    connectionCount: () => all.size,
    inboundQueued: () => [...all].reduce((sum, connection) => sum + connection.queue.length(), 0),
    async close() {
      // Bounded whatever the backlog: queued messages are dropped (counted), work in flight gets drainMs, then
      // every socket is terminated (a flooding peer that never answers the close frame is not waited for).
      clearInterval(heartbeat);
      shutdown.abort();
      const connections = [...all];
      for (const connection of connections) {
        connection.queue.discard();
        for (const writer of [connection.ackWriter, connection.nackWriter]) {
          if (writer.discard()) protectionMetrics.messagesDropped.inc({ reason: 'shutdown' });
        }
        connection.socket.close(1001, 'control plane shutting down');
      }
      const drained = Promise.all(
        connections.map((c) => Promise.all([c.queue.idle(), c.ackWriter.settled(), c.nackWriter.settled()])),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, protection.drainMs)))]);
      clearTimeout(timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
