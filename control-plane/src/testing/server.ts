// Test support: the control plane's HTTP app on a random port, with captured logs and mail.
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Mailer, MailMessage } from '../auth/mailer.js';
import { createMemoryThrottle, type Throttle } from '../auth/throttle.js';
import type { AuthThrottleRules } from '../auth/router.js';
import { createMemoryPresence, type Presence } from '../hub/presence.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../server.js';
import { createLogger } from '../telemetry/logger.js';
import type { Pool } from '../db/pool.js';
import type { TestDatabase } from './database.js';
import type { ClientLimits } from '@novagate/gateway/server/client-limits';
import { registrationTokenIn } from './mail-folder.js';

export const TEST_PLATFORM_SECRET = 'test-platform-secret-0123456789abcdef';
export const TEST_SECRETS_ENCRYPTION_KEY = 'test-secrets-key-0123456789abcdefABCDEF';

/** Generous limits so tests that are not about throttling are never throttled. */
export const RELAXED_THROTTLE: AuthThrottleRules = {
  perIp: { limit: 100_000, windowSeconds: 60 },
  perEmail: { limit: 100_000, windowSeconds: 60 },
  loginPerEmailAndIp: { limit: 100_000, windowSeconds: 60 },
  loginDelay: { baseMs: 0, capMs: 0, windowSeconds: 60 },
};

export interface TestServer {
  url: string;
  logLines: string[];
  mail: MailMessage[];
  controlPlane: ControlPlane;
  /** The pool the server queries through. */
  pool: Pool;
  close(): Promise<void>;
  /** fetch against the server, JSON in and out. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
  text: string;
}

export interface TestServerOptions {
  db: TestDatabase;
  throttle?: Throttle;
  presence?: Presence;
  /** Redis for throttling and presence (with their fallbacks); `throttle` and `presence` then default to it. */
  redis?: Redis;
  /** Serve HTTPS with this certificate; `ca` is what the test's requests trust. */
  tls?: { cert: string; key: string; ca?: string };
  listenerReconnectDelayMs?: number;
  throttleRules?: AuthThrottleRules;
  trustedProxies?: string[];
  pingIntervalMs?: number;
  gatewayLeaseMs?: number;
  hubProtection?: ControlPlaneOptions['hubProtection'];
  clientLimits?: ClientLimits;
  now?: () => Date;
  /** SECRETS_ENCRYPTION_KEY (and accepted key); the test default TEST_SECRETS_ENCRYPTION_KEY, null for none. */
  secretsEncryption?: { key: string; acceptedKey?: string } | null;
  /** How the login delay waits; by default the test server does not wait at all. */
  sleep?: (ms: number) => Promise<void>;
  /** The web console's build directory (default: this checkout's console/dist). */
  consoleDir?: string;
  /** Listen on this port (default: any free one). */
  port?: number;
  /** PUBLIC_URL (default http://localhost): a browser test sets the URL it opens, whose origin cookie writes must carry. */
  publicUrl?: string;
  /** CONSOLE_SESSION_TTL_SECONDS (default 8 h). */
  sessionTtlSeconds?: number;
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
  const controlPlane = await startControlPlane({
    databaseUrl: options.db.url,
    pool: options.db.pool,
    logger: createLogger('debug', logStream),
    platformJwtSecret: TEST_PLATFORM_SECRET,
    redis: options.redis,
    throttle: options.throttle ?? (options.redis === undefined ? createMemoryThrottle(() => now().getTime()) : undefined),
    throttleRules: options.throttleRules ?? RELAXED_THROTTLE,
    presence: options.presence ?? (options.redis === undefined ? createMemoryPresence() : undefined),
    mailer,
    port: options.port ?? 0,
    metricsPort: 0,
    host: '127.0.0.1',
    tls: options.tls === undefined ? undefined : { cert: options.tls.cert, key: options.tls.key },
    trustedProxies: options.trustedProxies ?? [],
    corsAllowedOrigins: ['https://console.example.com'],
    publicUrl: options.publicUrl ?? 'http://localhost',
    maxConfigBytes: 16 * 1024 * 1024,
    listenerReconnectDelayMs: options.listenerReconnectDelayMs,
    pingIntervalMs: options.pingIntervalMs,
    gatewayLeaseMs: options.gatewayLeaseMs,
    hubProtection: options.hubProtection,
    clientLimits: options.clientLimits,
    now,
    secretsEncryption: options.secretsEncryption === null ? undefined : (options.secretsEncryption ?? { key: TEST_SECRETS_ENCRYPTION_KEY }),
    sleep: options.sleep ?? (async () => undefined),
    consoleDir: options.consoleDir,
    sessionTtlSeconds: options.sessionTtlSeconds,
  });
  const dispatcher = new Agent({ connect: { ca: options.tls?.ca } });
  const url = options.tls === undefined ? `http://127.0.0.1:${controlPlane.port}` : `https://localhost:${controlPlane.port}`;
  return {
    url,
    logLines,
    mail,
    controlPlane,
    pool: options.db.pool,
    close: async () => {
      await controlPlane.close();
      await dispatcher.close();
    },
    async request(method, path, { token, body, headers = {} } = {}) {
      const init: UndiciRequestInit = { method, headers: { ...headers }, dispatcher };
      if (token !== undefined) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
      if (body !== undefined) {
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const response = await undiciFetch(`${url}${path}`, init);
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

/** Waits until the server has mailed `to` (any case) a message beyond the first `skip`, and returns it. */
export async function waitForMail(server: TestServer, to: string, skip = 0, timeoutMs = 10_000): Promise<MailMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = server.mail.filter((message) => message.to.toLowerCase() === to.toLowerCase())[skip];
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Step one of registration: POST /auth/register (202), then the token from the mail it sends. */
export async function startRegistration(server: TestServer, email: string, password: string, tenantName: string, headers: Record<string, string> = {}): Promise<string> {
  const already = server.mail.filter((message) => message.to.toLowerCase() === email.toLowerCase()).length;
  const response = await server.request('POST', '/api/v1/auth/register', { body: { email, password, tenantName }, headers });
  if (response.status !== 202) throw new Error(`registration failed: ${response.status} ${response.text}`);
  const mail = await waitForMail(server, email, already);
  const token = registrationTokenIn(mail.text);
  if (token === null) throw new Error(`the mail to ${email} holds no registration link: ${mail.subject}`);
  return token;
}

/** Registers a tenant through both steps of the API (the mailed token included) and returns its id, token and key. */
export async function registerTenant(server: TestServer, name = 'Acme'): Promise<RegisteredTenant> {
  registrationCounter += 1;
  const email = `owner${registrationCounter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const token = await startRegistration(server, email, password, name);
  const response = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
  if (response.status !== 201) throw new Error(`registration confirm failed: ${response.status} ${response.text}`);
  return { id: response.body.tenant.id, token: response.body.token, gatewayApiKey: response.body.gatewayApiKey, email, password };
}

/** A tenant registered through both steps, and a request function scoped to its `/api/v1/tenants/:id` with its token. */
export async function registerTenantApi(server: TestServer, name = 'Acme'): Promise<{ tenant: RegisteredTenant; base: string; call: TestServer['request'] }> {
  const tenant = await registerTenant(server, name);
  const base = `/api/v1/tenants/${tenant.id}`;
  const call: TestServer['request'] = (method, path, options = {}) => server.request(method, `${base}${path}`, { token: tenant.token, ...options });
  return { tenant, base, call };
}
