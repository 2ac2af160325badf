// An in-process gateway on 127.0.0.1:0 for integration tests: the real config store, policies, server,
// metrics and logger, with the log output captured so tests can read every line.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createConfigStore, type ConfigStore } from '../pipeline/config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';
import type { RateLimitBackend } from '../policies/rate-limit/backend.js';
import type { RateLimitFailureMode } from '../policies/rate-limit/rate-limit-policy.js';
import { createGatewayServer, type GatewayServer } from '../server/gateway-server.js';
import { parseTrustedProxies } from '../server/client-address.js';
import type { ClientLimits } from '../server/client-limits.js';
import { createGatewayMetrics, type GatewayMetrics } from '../telemetry/metrics.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import type { ReplayMemory } from '../proxy/replay-body.js';
import { healthSnapshot } from '../upstream/health-snapshot.js';
import type { Resolver } from '../upstream/service-pool.js';
import type { JwtProviderDeps } from '../policies/jwt/compile-providers.js';
import { JwksSources } from '../policies/jwt/key-source.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TestGateway {
  url: string;
  port: number;
  store: ConfigStore;
  metrics: GatewayMetrics;
  logger: Logger;
  gateway: GatewayServer;
  /** Every log line written so far (flushes first). */
  logLines(): string[];
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  backend?: RateLimitBackend;
  failureMode?: RateLimitFailureMode;
  trustedProxies?: string;
  maxBodyBytes?: number;
  clientLimits?: ClientLimits;
  now?: () => number;
  replayMemory?: ReplayMemory;
  /** Resolves upstream target host names (the system resolver when absent). */
  resolver?: Resolver;
  /** Certificates as if in TLS_CERT_DIR, for upstream TLS. */
  localCertificatePem?: (name: string) => { cert: string; key?: string | undefined } | undefined;
  /** JWKS sources and fetch hooks for jwt.providers routes (a fresh set per gateway when absent). */
  jwt?: JwtProviderDeps;
}

export async function startTestGateway(config: unknown, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const metrics = createGatewayMetrics();
  let output = '';
  const logger = createLogger({
    level: 'debug',
    output: { write: (chunk: string) => ((output += chunk), true), once: () => undefined },
    onDropped: (count) => metrics.logEntriesDropped(count),
  });
  const store = createConfigStore(
    {
      tenant: 'default',
      jwtSecret: Buffer.from(TEST_JWT_SECRET),
      rateLimitBackend: options.backend ?? createMemoryBackend(),
      failureMode: options.failureMode ?? 'open',
      now: options.now ?? Date.now,
      onRateLimitBackendError: () => metrics.rateLimitBackendError(),
      onRateLimited: (route) => metrics.rateLimited(route),
      onPolicyWarning: (message, fields) => logger.warn(message, fields),
      resolver: options.resolver,
      localCertificatePem: options.localCertificatePem,
      onUpstreamHealthChange: () => upstreamHealthChanged(),
      jwt: options.jwt ?? { sources: new JwksSources({ now: options.now ?? Date.now, onFailure: (jwksUri, failure) => logger.warn('JWKS fetch failed', { jwksUri, failure }) }) },
    },
    {
      onRejected: () => metrics.configRejected(),
      onApplied: (compiled) => {
        metrics.setConfigVersion(compiled.version);
        upstreamHealthChanged();
      },
    },
  );
  function upstreamHealthChanged(): void {
    const current = store.current();
    metrics.setUpstreamTargetHealth(current === undefined ? [] : healthSnapshot(current.services.values()));
  }
  const applied = await store.apply(config);
  if (!applied.ok) throw new Error(`test config refused: ${JSON.stringify(applied.problems)}`);
  const gateway = createGatewayServer({
    store,
    metrics,
    logger,
    trustedProxies: parseTrustedProxies(options.trustedProxies ?? ''),
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
    clientLimits: options.clientLimits,
    replayMemory: options.replayMemory,
  });
  gateway.server.listen(0, '127.0.0.1');
  await once(gateway.server, 'listening');
  const port = (gateway.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    metrics,
    logger,
    gateway,
    logLines() {
      logger.flush();
      return output.split('\n').filter((line) => line !== '');
    },
    async close() {
      await gateway.drain(1_000);
      await store.close();
    },
  };
}
