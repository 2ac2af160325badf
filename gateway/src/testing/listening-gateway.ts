// An in-process gateway whose ports come from its config through the listener manager (as in main.ts), on
// 127.0.0.1, with the log output captured: for tests of listeners, TLS and HTTP/2.
import { createConfigStore, type ApplyResult, type ConfigStore } from '../pipeline/config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';
import { createGatewayServer, type GatewayServer } from '../server/gateway-server.js';
import { parseTrustedProxies } from '../server/client-address.js';
import { DEFAULT_CLIENT_LIMITS, type ClientLimits } from '../server/client-limits.js';
import { createGatewayMetrics, type GatewayMetrics } from '../telemetry/metrics.js';
import { createLogger } from '../telemetry/logger.js';
import { createListenerManager, type ListenerManager } from '../listeners/listener-manager.js';
import type { CertificateDir } from '../listeners/certificate-dir.js';
import type { Http2Limits } from '../listeners/http2-limits.js';
import { TEST_JWT_SECRET } from './in-process-gateway.js';

export interface ListeningGateway {
  store: ConfigStore;
  metrics: GatewayMetrics;
  gateway: GatewayServer;
  listeners: ListenerManager;
  apply(config: unknown): Promise<ApplyResult>;
  logLines(): string[];
  close(): Promise<void>;
}

export interface ListeningGatewayOptions {
  gatewayName?: string;
  certificateDir?: CertificateDir;
  http2?: Http2Limits;
  clientLimits?: ClientLimits;
}

export async function startListeningGateway(config: unknown, options: ListeningGatewayOptions = {}): Promise<ListeningGateway> {
  const metrics = createGatewayMetrics();
  let output = '';
  const logger = createLogger({ level: 'debug', output: { write: (chunk: string) => ((output += chunk), true), once: () => undefined } });
  const store = createConfigStore(
    {
      tenant: 'default',
      jwtSecret: Buffer.from(TEST_JWT_SECRET),
      rateLimitBackend: createMemoryBackend(),
      failureMode: 'open',
      now: Date.now,
      onRateLimitBackendError: () => undefined,
      onRateLimited: () => undefined,
      listenerScope: { gatewayName: options.gatewayName, defaultPort: 0 },
      localCertificate: (name) => options.certificateDir?.has(name) === true,
      localCertificatePem: (name) => options.certificateDir?.get(name),
    },
    {
      // Called from apply below, once `listeners` exists.
      prepareListeners: (compiled) => listeners.prepare(compiled),
      onRejected: () => metrics.configRejected(),
    },
  );
  const limits = options.clientLimits ?? DEFAULT_CLIENT_LIMITS;
  const gateway = createGatewayServer({ store, metrics, logger, trustedProxies: parseTrustedProxies(''), maxBodyBytes: 1024 * 1024, clientLimits: limits });
  const listeners: ListenerManager = createListenerManager({
    gateway,
    address: '127.0.0.1',
    limits,
    logger,
    certificateDir: options.certificateDir,
    http2: options.http2,
    onCertificates: (expiry) => metrics.setCertificateExpiry(expiry),
    onRapidReset: () => metrics.http2RapidReset(),
  });
  const applied = await store.apply(config);
  if (!applied.ok) throw new Error(`test config refused: ${JSON.stringify(applied.problems)}`);
  return {
    store,
    metrics,
    gateway,
    listeners,
    apply: (next) => store.apply(next),
    logLines() {
      logger.flush();
      return output.split('\n').filter((line) => line !== '');
    },
    async close() {
      listeners.close();
      await gateway.drain(500);
      await store.close();
    },
  };
}
