// Gateway key checks at the WebSocket upgrade, with what an attacker guessing keys meets: every refusal is
// logged (the tenant id a well-formed key names at most, never the key) and counted by reason, and failed checks
// are throttled per client address (through TRUSTED_PROXIES, as the rest of the control plane does).
import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import type { BlockList } from 'node:net';
import type { Logger } from 'winston';
import type { Counter } from 'prom-client';
import { clientAddress } from '@novagate/gateway/client-address';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { sha256Hex } from '../tenancy/api-key-format.js';
import { bearerToken } from '../auth/require-tenant.js';
import type { Queryable } from '../db/pool.js';
import { gatewayKeyExists, useGatewayKey } from '../tenancy/gateway-keys.js';
import { addressSubject, type KeyGuessThrottle } from './key-guess-throttle.js';

export interface AuthenticatedGateway {
  tenantId: string;
  keyId: string;
  /** The Gateway the key is bound to (it receives only that Gateway's slice of the config), or null: the whole config. */
  gatewayOwner: string | null;
}

export type GatewayKeyRefusal = 'malformed' | 'unknown' | 'revoked';

export type GatewayKeyCheck =
  | ({ ok: true } & AuthenticatedGateway)
  /** `tenantId` is the tenant a well-formed key names, which is not proof of anything but is safe to log. */
  | { ok: false; reason: GatewayKeyRefusal; tenantId: string | null };

/** SHA-256 lookup of a presented key: its tenant and key id, or why it was refused (for the log line and the metric). */
export async function checkGatewayKey(db: Queryable, presented: string): Promise<GatewayKeyCheck> {
  const tenantId = tenantIdOfApiKey(presented);
  if (tenantId === null) return { ok: false, reason: 'malformed', tenantId: null };
  const keyHash = sha256Hex(presented);
  const key = await useGatewayKey(db, tenantId, keyHash);
  if (key !== null) return { ok: true, tenantId, keyId: key.id, gatewayOwner: key.gatewayOwner };
  // Only on the failure path, which the per-address throttle bounds.
  return { ok: false, reason: (await gatewayKeyExists(db, tenantId, keyHash)) ? 'revoked' : 'unknown', tenantId };
}

export type AuthFailureReason = 'malformed' | 'unknown' | 'revoked' | 'throttled';

export type UpgradeAuthResult =
  | ({ ok: true } & AuthenticatedGateway)
  | { ok: false; status: 401 | 429 | 503; code: string; message: string; retryAfterSeconds?: number };

export interface UpgradeAuthOptions {
  db: Queryable;
  logger: Logger;
  failures: Counter<'reason'>;
  throttle: KeyGuessThrottle;
  trustedProxies: BlockList | undefined;
}

/** What a log line may say about a client: its /24 (IPv4) or /64 (IPv6), never the full address. */
export function loggableNetwork(address: string): string {
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  return addressSubject(address);
}

export function createUpgradeAuth(options: UpgradeAuthOptions): (req: IncomingMessage) => Promise<UpgradeAuthResult> {
  const { logger, failures, throttle } = options;
  const unauthorized = { ok: false, status: 401, code: 'unauthorized' } as const;

  function refused(reason: Exclude<AuthFailureReason, 'throttled'>, address: string, tenantId: string | null): void {
    throttle.failed(address);
    failures.inc({ reason });
    logger.warn('gateway key refused', { reason, ...(tenantId === null ? {} : { tenantId }), network: loggableNetwork(address) });
  }

  return async (req) => {
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.trustedProxies).clientIp;
    const decision = throttle.check(address);
    if (!decision.allowed) {
      failures.inc({ reason: 'throttled' });
      // Once per address and window: logging every throttled attempt would turn the flood into a log flood.
      if (decision.firstRefusal) logger.warn('gateway key checks throttled', { network: loggableNetwork(address), retryAfterSeconds: decision.retryAfterSeconds });
      return {
        ok: false,
        status: 429,
        code: 'too_many_requests',
        message: 'too many failed gateway key checks from this address; retry later',
        retryAfterSeconds: decision.retryAfterSeconds,
      };
    }
    const key = bearerToken(req.headers.authorization);
    if (key === null) {
      refused('malformed', address, null);
      return { ...unauthorized, message: 'an API key is required: Authorization: Bearer gw_…' };
    }
    let check;
    try {
      check = await checkGatewayKey(options.db, key);
    } catch (error) {
      logger.warn('gateway authentication failed', { error: error instanceof Error ? error.message : 'unknown error' });
      return { ok: false, status: 503, code: 'unavailable', message: 'the control plane cannot check keys right now' };
    }
    if (check.ok) return check;
    refused(check.reason, address, check.tenantId);
    return { ...unauthorized, message: 'the API key is unknown or revoked' };
  };
}
