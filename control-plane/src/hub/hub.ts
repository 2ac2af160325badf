// The gateway hub: wires its parts to the WebSocket server. Upgrades are authenticated by API key
// (upgrade-auth.ts) and become connections (connection-lifecycle.ts) whose messages are handled in order
// (gateway-messages.ts: hello and admission, acks and nacks, telemetry); each tenant's newest config is encoded
// once (frame-cache.ts; a key bound to a Gateway gets that Gateway's slice of it) and pushed to the connections
// that lack it (config-push.ts); the heartbeat pings, marks
// presence and renews leases (heartbeat.ts). Changes arrive from the LISTEN session (configChanged, keyRevoked,
// gatewayReplaced) and rescans.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'winston';
import type { Registry } from 'prom-client';
import { parseTrustedProxies } from '@novagate/gateway/client-address';
import type { Pool } from '../db/pool.js';
import { createHubProtectionMetrics } from '../telemetry/metrics.js';
import { newestTenantConfig } from '../tenancy/gateway-config.js';
import { gatewaySlice } from '@novagate/gateway/config';
import { revealConfig, serialiseSnapshot, type StoredConfig } from '../tenancy/certificate-snapshot.js';
import type { SecretBox } from '../tenancy/secret-box.js';
import { revokedKeyIds } from '../tenancy/gateway-keys.js';
import { createAckRecorder } from './ack-recorder.js';
import { closeReplaced } from './admission.js';
import type { ReplacedNotice } from '../db/notifications.js';
import { createConfigPush } from './config-push.js';
import { createConnectionLifecycle } from './connection-lifecycle.js';
import { createConnectionRegistry } from './connections.js';
import { createFrameCache } from './frame-cache.js';
import { createGatewayMessageHandler } from './gateway-messages.js';
import { startHeartbeat } from './heartbeat.js';
import { createHelloHandler } from './hello.js';
import { createHubMetrics } from './hub-metrics.js';
import { DEFAULT_INBOUND_QUEUE_LIMITS, type InboundQueueLimits } from './inbound-queue.js';
import { createKeyGuessThrottle, DEFAULT_KEY_GUESS_RULE, type KeyGuessRule } from './key-guess-throttle.js';
import { createMessageRates, DEFAULT_MESSAGE_RATES, type MessageRateRules } from './message-rates.js';
import { createNodePresence } from './node-presence.js';
import { createNodeReports } from './node-reports.js';
import type { Presence } from './presence.js';
import { CONNECT_PATH, MAX_INBOUND_PAYLOAD_BYTES, OFFLINE_AFTER_MS, PING_INTERVAL_MS } from '@novagate/gateway/protocol';
import { createTelemetryIntake } from './telemetry-intake.js';
import { createUpgradeAuth } from './upgrade-auth.js';

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
  /** Opens pushed certificates' keys for the frames sent to gateways (SECRETS_ENCRYPTION_KEY). */
  secrets?: SecretBox;
}

/** The bounds of issue 12, items 5 and 13; tests shrink them. */
export interface HubProtection {
  queue: InboundQueueLimits;
  rates: MessageRateRules;
  keyGuesses: KeyGuessRule;
  /** Least time between two writes of one node's acks (or nacks, or health reports); the newest in between is the one written. */
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

export function createHub(options: HubOptions): Hub {
  const { pool, logger } = options;
  const leaseMs = options.leaseMs ?? OFFLINE_AFTER_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_PAYLOAD_BYTES, perMessageDeflate: false });
  const connections = createConnectionRegistry();
  const acks = createAckRecorder(pool, options.presence);
  const presence = createNodePresence(pool, options.presence);
  const protection: HubProtection = { ...DEFAULT_HUB_PROTECTION, ...options.protection };
  const protectionMetrics = createHubProtectionMetrics(options.registry, () => {
    let queued = 0;
    for (const connection of connections.all) queued += connection.queue.length();
    return queued;
  });
  const rates = createMessageRates(protection.rates);
  const authenticateUpgrade = createUpgradeAuth({
    db: pool,
    logger,
    failures: protectionMetrics.authFailures,
    throttle: createKeyGuessThrottle(protection.keyGuesses),
    trustedProxies: parseTrustedProxies((options.trustedProxies ?? []).join(',')),
  });
  const shutdown = new AbortController();
  const metrics = createHubMetrics(options.registry, () => connections.all);
  // `frames` is read only when a push runs, after both exist.
  const push = createConfigPush(connections, (connection) => frames.frameFor(connection.tenantId, connection.gatewayOwner), metrics.pushFailures);
  const frames = createFrameCache({
    newest: (tenantId, known) => newestTenantConfig(pool, tenantId, known),
    reveal: (tenantId, config) => revealConfig(config as StoredConfig, tenantId, options.secrets),
    slice: (config, gatewayOwner) => {
      const slice = gatewaySlice(config as StoredConfig, gatewayOwner);
      return { config: slice, hash: serialiseSnapshot(slice).hash };
    },
    slicesWanted: (tenantId) => [...connections.ofTenant(tenantId)].some((connection) => connection.gatewayOwner !== null),
    serves: connections.serves,
    loaded: (tenantId) => push.toTenant(tenantId),
    maxConfigBytes: options.maxConfigBytes,
    logger,
    metrics,
  });
  const reports = createNodeReports({ pool, logger, acks, presence, frames, metrics, protectionMetrics, reportIntervalMs: protection.reportIntervalMs });
  const telemetry = createTelemetryIntake(pool, protectionMetrics);
  const handleMessage = createGatewayMessageHandler({
    logger,
    hello: createHelloHandler({ pool, logger, leaseMs, connections, presence, frames, push, reports }),
    reports,
    telemetry,
    protectionMetrics,
    shutdown: shutdown.signal,
  });

  const lifecycle = createConnectionLifecycle({
    pool,
    logger,
    connections,
    handleMessage,
    rates,
    queueLimits: protection.queue,
    reports,
    frames,
    telemetry,
    presence,
    protectionMetrics,
  });

  const stopHeartbeat = startHeartbeat({
    pool,
    logger,
    presence,
    connections: () => connections.all,
    pingIntervalMs: options.pingIntervalMs ?? PING_INTERVAL_MS,
    offlineAfterMs: options.offlineAfterMs ?? OFFLINE_AFTER_MS,
    leaseMs,
  });

  return {
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== CONNECT_PATH) return rejectUpgrade(socket, 404, 'not_found', `no WebSocket endpoint at ${path}`);
      if (shutdown.signal.aborted) return rejectUpgrade(socket, 503, 'unavailable', 'the control plane is shutting down');
      authenticateUpgrade(req)
        .then((gateway) => {
          if (!gateway.ok) return rejectUpgrade(socket, gateway.status, gateway.code, gateway.message, gateway.retryAfterSeconds);
          wss.handleUpgrade(req, socket, head, (ws) => lifecycle.attach(ws, gateway));
        })
        .catch(() => socket.destroy());
    },
    configChanged(tenantId, version) {
      if (!connections.serves(tenantId)) {
        // Nobody of this tenant is connected here; if nobody is online anywhere, the version counts as delivered.
        void presence.markDeliveredIfAllAcked(tenantId, version).catch(() => undefined);
        return;
      }
      if (frames.current(tenantId)?.frame.version === version) return;
      void frames.refresh(tenantId);
    },
    gatewayReplaced(notice) {
      closeReplaced(connections.ofTenant(notice.tenantId), notice.nodeId, notice.connection, logger);
    },
    keyRevoked(tenantId, keyId) {
      for (const connection of connections.ofTenant(tenantId)) {
        if (connection.keyId === keyId) connection.socket.close(4401, 'API key revoked');
      }
    },
    async rescan() {
      const revoked = await revokedKeyIds(pool, [...new Set([...connections.all].map((c) => c.keyId))]);
      for (const connection of connections.all) if (revoked.has(connection.keyId)) connection.socket.close(4401, 'API key revoked');
      await Promise.all(connections.tenants().map((tenantId) => frames.refresh(tenantId)));
    },
    connectionCount: () => connections.all.size,
    inboundQueued: () => [...connections.all].reduce((sum, connection) => sum + connection.queue.length(), 0),
    async close() {
      // Bounded whatever the backlog: queued messages are dropped (counted), work in flight gets drainMs, then
      // every socket is terminated (a flooding peer that never answers the close frame is not waited for).
      stopHeartbeat();
      shutdown.abort();
      await lifecycle.closeAll(protection.drainMs);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
