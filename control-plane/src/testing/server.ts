// Test support: the control plane's HTTP app on a random port, with captured logs and mail.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { Mailer, MailMessage } from '../auth/mailer.js';
import { createPlatformTokens } from '../auth/platform-token.js';
import { createMemoryThrottle, type Throttle } from '../auth/throttle.js';
import type { AuthThrottleRules } from '../auth/router.js';
import type { Pool } from '../db/pool.js';
import { createApp } from '../http/app.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';

export const TEST_PLATFORM_SECRET = 'test-platform-secret-0123456789abcdef';

/** Generous limits so tests that are not about throttling are never throttled. */
export const RELAXED_THROTTLE: AuthThrottleRules = {
  perIp: { limit: 100_000, windowSeconds: 60 },
  perEmail: { limit: 100_000, windowSeconds: 60 },
};

export interface TestServer {
  url: string;
  logLines: string[];
  mail: MailMessage[];
  server: Server;
  close(): Promise<void>;
  /** fetch against the server, JSON in and out. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
  text: string;
}

export interface TestServerOptions {
  pool: Pool;
  throttle?: Throttle;
  throttleRules?: AuthThrottleRules;
  trustedProxies?: string[];
  now?: () => Date;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const logLines: string[] = [];
  const mail: MailMessage[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const mailer: Mailer = {
    async send(message) {
      mail.push(message);
    },
  };
  const now = options.now ?? (() => new Date());
  const app = createApp({
    pool: options.pool,
    logger: createLogger('debug', logStream),
    tokens: createPlatformTokens(TEST_PLATFORM_SECRET, now),
    throttle: options.throttle ?? createMemoryThrottle(() => now().getTime()),
    throttleRules: options.throttleRules ?? RELAXED_THROTTLE,
    mailer,
    metrics: createMetrics(options.pool),
    trustedProxies: options.trustedProxies ?? [],
    corsAllowedOrigins: ['https://console.example.com'],
    publicUrl: 'http://localhost',
    now,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    logLines,
    mail,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async request(method, path, { token, body, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (token !== undefined) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
      if (body !== undefined) {
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
  };
}

let registrationCounter = 0;

export interface RegisteredTenant {
  id: string;
  token: string;
  gatewayApiKey: string;
  email: string;
  password: string;
}

/** Registers a tenant through the API and returns its id, token and key. */
export async function registerTenant(server: TestServer, name = 'Acme'): Promise<RegisteredTenant> {
  registrationCounter += 1;
  const email = `owner${registrationCounter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const response = await server.request('POST', '/api/v1/auth/register', { body: { email, password, tenantName: name } });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${response.text}`);
  return { id: response.body.tenant.id, token: response.body.token, gatewayApiKey: response.body.gatewayApiKey, email, password };
}
