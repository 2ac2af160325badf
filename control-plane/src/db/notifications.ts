// The NOTIFY channels every replica LISTENs on (DESIGN §1) and their payloads: each channel's name, how its
// writers encode a payload (in JavaScript or, for statements that notify once per row, in SQL) and how the
// LISTEN session parses one, refusing anything malformed. No channel name is written anywhere else.
import { isUuid } from '../tenancy/schema-name.js';

/** A new config version of a tenant: `{"tenantId":…,"version":…}`. */
export const CONFIG_CHANNEL = 'novagate_config';
/** A revoked gateway API key: `{"tenantId":…,"keyId":…}`; every replica drops the connections that used it. */
export const KEY_REVOKED_CHANNEL = 'novagate_key_revoked';
/** A tenant's token version was bumped (password reset): `{"tenantId":…}`. */
export const TENANT_TOKENS_CHANNEL = 'novagate_tenant_tokens';
/** A node id's lease was taken by a new connection; the replica holding the old one closes it. */
export const GATEWAY_REPLACED_CHANNEL = 'novagate_gateway_replaced';

/** Every channel, in the order the LISTEN session subscribes to them. */
export const NOTIFICATION_CHANNELS = [CONFIG_CHANNEL, KEY_REVOKED_CHANNEL, TENANT_TOKENS_CHANNEL, GATEWAY_REPLACED_CHANNEL] as const;

export interface ConfigChangedNotice {
  tenantId: string;
  version: number;
}

export interface KeyRevokedNotice {
  tenantId: string;
  keyId: string;
}

export interface TenantTokensNotice {
  tenantId: string;
}

export interface ReplacedNotice {
  tenantId: string;
  nodeId: string;
  /** The connection that now holds the lease: every other connection with this node id must go. */
  connection: string;
}

export function encodeConfigChanged(notice: ConfigChangedNotice): string {
  return JSON.stringify({ tenantId: notice.tenantId, version: notice.version });
}

export function encodeGatewayReplaced(notice: ReplacedNotice): string {
  return JSON.stringify({ tenantId: notice.tenantId, nodeId: notice.nodeId, connection: notice.connection });
}

/** The key-revoked payload as a SQL expression over two text expressions (one NOTIFY per revoked row). */
export function keyRevokedPayloadSql(tenantIdText: string, keyIdText: string): string {
  return `json_build_object('tenantId', ${tenantIdText}, 'keyId', ${keyIdText})::text`;
}

/** The tenant-tokens payload as a SQL expression over a text expression. */
export function tenantTokensPayloadSql(tenantIdText: string): string {
  return `json_build_object('tenantId', ${tenantIdText})::text`;
}

/** The JSON object of a payload whose tenantId is a UUID, or null. */
function tenantPayload(payload: string | undefined): Record<string, unknown> & { tenantId: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const object = parsed as Record<string, unknown>;
  return isUuid(object.tenantId) ? (object as Record<string, unknown> & { tenantId: string }) : null;
}

export function parseConfigChanged(payload: string | undefined): ConfigChangedNotice | null {
  const object = tenantPayload(payload);
  if (object === null || typeof object.version !== 'number') return null;
  return { tenantId: object.tenantId, version: object.version };
}

export function parseKeyRevoked(payload: string | undefined): KeyRevokedNotice | null {
  const object = tenantPayload(payload);
  if (object === null || !isUuid(object.keyId)) return null;
  return { tenantId: object.tenantId, keyId: object.keyId };
}

export function parseTenantTokens(payload: string | undefined): TenantTokensNotice | null {
  const object = tenantPayload(payload);
  return object === null ? null : { tenantId: object.tenantId };
}

export function parseGatewayReplaced(payload: string | undefined): ReplacedNotice | null {
  const object = tenantPayload(payload);
  if (object === null) return null;
  const { nodeId, connection } = object;
  if (typeof nodeId !== 'string' || typeof connection !== 'string') return null;
  return { tenantId: object.tenantId, nodeId, connection };
}
