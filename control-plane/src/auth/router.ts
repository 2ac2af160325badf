// /api/v1/auth: registration in two steps (a mailed token), login and password reset (DESIGN §3), throttled per
// client IP and per email.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { ApiError, alreadyExists, parseOrThrow, tooManyRequests } from '../http/errors.js';
import type { PendingRegistration } from '../tenancy/registrations.js';
import { findTenantByEmail, findTenantById, publicTenant, type TenantCredentials } from '../tenancy/tenants.js';
import { refuseForeignOrigin, registerSessionRoutes, startSession } from './session-routes.js';
import type { SessionStore } from './sessions.js';
import type { Mailer } from './mailer.js';
import { CONSOLE_CONFIRM_PATH, CONSOLE_RESET_PATH } from './mail-links.js';
import { hashPassword, MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import type { PlatformTokens } from './platform-token.js';
import type { TokenVersions } from './token-versions.js';
import { issueResetToken, redeemResetToken, RESET_TOKEN_PATTERN } from './reset-tokens.js';
import { issueRegistrationToken, redeemRegistrationToken, REGISTRATION_TOKEN_PATTERN } from './registration-tokens.js';
import type { Throttle, ThrottleRule } from './throttle.js';
import { loginDelayMs, type LoginDelayPolicy } from './login-delay.js';
import type { Logger } from 'winston';

export interface AuthThrottleRules {
  /** Every /auth request, per client IP: also what stops one address trying many emails. */
  perIp: ThrottleRule;
  /** Registration and reset requests, per email. */
  perEmail: ThrottleRule;
  /** Failed logins per (email, client IP) pair: past it that pair gets 429 without a password check. */
  loginPerEmailAndIp?: ThrottleRule;
  /** The per-email delay before a login's password check, growing with the email's recent failures. */
  loginDelay?: LoginDelayPolicy;
}

export const DEFAULT_AUTH_THROTTLE: Required<AuthThrottleRules> = {
  perIp: { limit: 30, windowSeconds: 60 },
  perEmail: { limit: 10, windowSeconds: 15 * 60 },
  loginPerEmailAndIp: { limit: 10, windowSeconds: 15 * 60 },
  loginDelay: { baseMs: 250, capMs: 4_000, windowSeconds: 15 * 60 },
};

export interface AuthRouterDeps {
  pool: Pool;
  tokens: PlatformTokens;
  tokenVersions: TokenVersions;
  throttle: Throttle;
  throttleRules: AuthThrottleRules;
  mailer: Mailer;
  logger: Logger;
  now: () => Date;
  /** Base URL the reset and registration mails link to. */
  publicUrl: string;
  /** Waits `ms` (the login delay); tests pass one that records instead. */
  sleep?: (ms: number) => Promise<void>;
  /** The console's cookie sessions (POST/GET/DELETE /auth/session). */
  sessions: SessionStore;
  /** The control plane's public origin: the only one cookie-authenticated writes may come from. */
  expectedOrigin: string;
  sessionTtlSeconds: number;
}

const email = z.email({ message: 'must be an email address' }).max(254);
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { message: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_PASSWORD_BYTES, {
    message: `must be at most ${MAX_PASSWORD_BYTES} bytes`,
  });

const registerBody = z.strictObject({
  email,
  password,
  tenantName: z.string().trim().min(1).max(100),
});
const registerConfirmBody = z.strictObject({
  token: z.string().regex(REGISTRATION_TOKEN_PATTERN, { message: 'must be the 64 hex digits from the registration mail' }),
  /** The web console's confirm page: also sign in (a session cookie and its CSRF token) instead of answering a platform token. */
  session: z.boolean().optional(),
});

/** public.tenants.token_version of a new tenant (its column default). */
const NEW_TENANT_TOKEN_VERSION = 1;

const loginBody = z.strictObject({ email: z.string().max(254), password: z.string().max(1024) });
const resetRequestBody = z.strictObject({ email: z.string().max(254) });
const resetConfirmBody = z.strictObject({
  token: z.string().regex(RESET_TOKEN_PATTERN, { message: 'must be the 64 hex digits from the reset mail' }),
  password,
});

const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'email or password is incorrect');

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouterDeps): void {
  const sessionDeps = { sessions: deps.sessions, expectedOrigin: deps.expectedOrigin, now: deps.now, sessionTtlSeconds: deps.sessionTtlSeconds };
  async function throttle(scope: string, key: string, rule: ThrottleRule): Promise<void> {
    const decision = await deps.throttle.hit(`${scope}:${key}`, rule);
    if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
  }
  // Before the body is read: a throttled client cannot make the server parse anything.
  app.addHook('onRequest', async (request: FastifyRequest) => {
    await throttle('auth-ip', request.ip, deps.throttleRules.perIp);
  });

  // Step one: the same answer and the same work (one bcrypt, no lookup) whether or not the email has an
  // account; the lookup and the mail happen after the answer has gone, so neither shows in its timing.
  app.post('/register', async (request, reply) => {
    const body = parseOrThrow(registerBody, request.body);
    await throttle('register-email', body.email.toLowerCase(), deps.throttleRules.perEmail);
    const passwordHash = await hashPassword(body.password);
    reply.raw.once('close', () => {
      void sendRegistrationMail(deps, { email: body.email, passwordHash, tenantName: body.tenantName }).catch((error: unknown) => {
        deps.logger.error('registration mail failed', { error: error instanceof Error ? error.message : 'unknown' });
      });
    });
    return reply.code(202).send({ message: 'check your mailbox: the link we sent completes the registration within 24 hours' });
  });

  // Step two: the mailed token, spent once, creates the tenant on the free plan. With `session: true` (the console's
  // confirm page) the answer signs the browser in like POST /auth/session, checked for Origin before the token is spent.
  app.post('/register/confirm', async (request, reply) => {
    const body = parseOrThrow(registerConfirmBody, request.body);
    if (body.session === true) refuseForeignOrigin(request, deps.expectedOrigin);
    const result = await redeemRegistrationToken(deps.pool, body.token, deps.now());
    if (result.outcome === 'invalid_token') {
      throw new ApiError(400, 'validation_failed', 'registration token is invalid, expired or already used', [
        { path: 'token', message: 'invalid, expired or already used' },
      ]);
    }
    // Two pending sign-ups for one mailbox: the second link finds the account made by the first. Only the
    // mailbox's owner holds the token, so saying so tells nobody else anything.
    if (result.outcome === 'email_taken') throw alreadyExists('an account with this email already exists; log in or reset the password', 'token');
    deps.logger.info('tenant registered', { tenantId: result.tenant.id, session: body.session === true });
    const tenant = publicTenant(result.tenant);
    if (body.session === true) {
      // The tenant exists now and its key is answered only here: a session that cannot be started must not lose it
      // (the answer then says `sessionStarted: false` and the page asks to sign in).
      const started = await startSession(sessionDeps, reply, { id: result.tenant.id, tokenVersion: NEW_TENANT_TOKEN_VERSION }).catch((error: unknown) => {
        deps.logger.error('console session after registration failed', { tenantId: result.tenant.id, error: error instanceof Error ? error.message : 'unknown' });
        return null;
      });
      return reply.code(201).send({ tenant, gatewayApiKey: result.key.plaintext, ...(started ?? { sessionStarted: false }) });
    }
    const token = await deps.tokens.issue({ tenantId: result.tenant.id, tokenVersion: NEW_TENANT_TOKEN_VERSION });
    return reply.code(201).send({ tenant, token, gatewayApiKey: result.key.plaintext });
  });

  // Login throttling (README, "Login throttling"): per client IP (every /auth request, above), failures per
  // (email, client IP) pair, and a per-email delay that slows every attempt for an email under attack but
  // lets each one be checked, so failures from other addresses never keep the owner out.
  const pairRule = deps.throttleRules.loginPerEmailAndIp ?? DEFAULT_AUTH_THROTTLE.loginPerEmailAndIp;
  const delayPolicy = deps.throttleRules.loginDelay ?? DEFAULT_AUTH_THROTTLE.loginDelay;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  /** The tenant whose owner these credentials are, throttled and delayed as above; 401 invalid_credentials otherwise. */
  async function authenticate(request: FastifyRequest): Promise<TenantCredentials> {
    const body = parseOrThrow(loginBody, request.body);
    const email = body.email.toLowerCase();
    const pairKey = `login-pair:${email}|${request.ip}`;
    const pair = await deps.throttle.peek(pairKey, pairRule);
    if (!pair.allowed) throw tooManyRequests(pair.retryAfterSeconds);
    const waitMs = Math.min(delayPolicy.capMs, await deps.throttle.cooldownMs(`login-delay:${email}`));
    if (waitMs > 0) await sleep(waitMs);
    const tenant = await findTenantByEmail(deps.pool, body.email);
    const ok = await verifyPassword(body.password, tenant?.passwordHash ?? null);
    if (!ok || tenant === null) {
      await deps.throttle.hit(pairKey, pairRule);
      const failures = await deps.throttle.hit(`login-failures:${email}`, { limit: 0, windowSeconds: delayPolicy.windowSeconds });
      await deps.throttle.startCooldown(`login-delay:${email}`, loginDelayMs(failures.count, delayPolicy));
      throw invalidCredentials();
    }
    return tenant;
  }

  app.post('/login', async (request) => {
    const tenant = await authenticate(request);
    return { token: await deps.tokens.issue({ tenantId: tenant.id, tokenVersion: tenant.tokenVersion }) };
  });

  registerSessionRoutes(app, { ...sessionDeps, authenticate, findTenant: (id) => findTenantById(deps.pool, id) });

  app.post('/password-reset', async (request, reply) => {
    const body = parseOrThrow(resetRequestBody, request.body);
    await throttle('reset-email', body.email.toLowerCase(), deps.throttleRules.perEmail);
    // Answer before any lookup so the response (and its timing) says nothing about the account.
    void sendResetMail(deps, body.email).catch((error: unknown) => {
      deps.logger.error('password reset mail failed', { error: error instanceof Error ? error.message : 'unknown' });
    });
    return reply.code(202).send({ message: 'if an account exists for this email, a reset link has been sent' });
  });

  app.post('/password-reset/confirm', async (request, reply) => {
    const body = parseOrThrow(resetConfirmBody, request.body);
    const passwordHash = await hashPassword(body.password);
    const tenantId = await redeemResetToken(deps.pool, body.token, passwordHash, deps.now());
    if (tenantId === null) {
      throw new ApiError(400, 'validation_failed', 'reset token is invalid, expired or already used', [
        { path: 'token', message: 'invalid, expired or already used' },
      ]);
    }
    deps.tokenVersions.invalidate(tenantId);
    deps.logger.info('password reset', { tenantId });
    return reply.code(204).send();
  });
}

async function sendResetMail(deps: AuthRouterDeps, emailAddress: string): Promise<void> {
  const tenant = await findTenantByEmail(deps.pool, emailAddress);
  if (tenant === null || tenant.passwordHash === null) return;
  const token = await issueResetToken(deps.pool, tenant.id, deps.now());
  await deps.mailer.send({
    to: tenant.ownerEmail,
    subject: 'Reset your NovaGate password',
    text: `Someone asked to reset the password of your NovaGate account "${tenant.name}".\n\nReset token: ${token}\nOr open: ${deps.publicUrl}${CONSOLE_RESET_PATH}#token=${token}\n\nThe token works once, within one hour. If you did not ask for this, ignore this mail.`,
  });
  deps.logger.info('password reset mail sent', { tenantId: tenant.id });
}

/** The mail of step one: a confirmation link for a new email, a note for an email that has an account. */
async function sendRegistrationMail(deps: AuthRouterDeps, registration: PendingRegistration): Promise<void> {
  const tenant = await findTenantByEmail(deps.pool, registration.email);
  if (tenant !== null) {
    await deps.mailer.send({
      to: tenant.ownerEmail,
      subject: 'You already have a NovaGate account',
      text: `Someone (perhaps you) asked to sign up for NovaGate with this address, but it already owns the account "${tenant.name}". Nothing was changed.\n\nLog in, or if you forgot the password, reset it at: ${deps.publicUrl}${CONSOLE_RESET_PATH}\n\nIf this was not you, ignore this mail.`,
    });
    deps.logger.info('registration for an existing account', { tenantId: tenant.id });
    return;
  }
  const token = await issueRegistrationToken(deps.pool, registration, deps.now());
  await deps.mailer.send({
    to: registration.email,
    subject: 'Confirm your NovaGate registration',
    text: `Someone (perhaps you) asked to create the NovaGate account "${registration.tenantName}" with this address.\n\nTo create it, open this page and press the button (it works once, within 24 hours):\n${deps.publicUrl}${CONSOLE_CONFIRM_PATH}#token=${token}\n\nOr POST {"token":"${token}"} to ${deps.publicUrl}/api/v1/auth/register/confirm.\n\nIf this was not you, ignore this mail: nothing is created without the link.`,
  });
}
