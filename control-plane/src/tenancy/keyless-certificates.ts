// What may not name a CA bundle (a certificate stored without a key, migration 013): a listener's
// tls.certificates and a service's tls.clientCertificate. The messages are the gateway's own.
import { keylessCertificateMessage, type ListenerConfig, type ServiceConfig } from '@novagate/gateway/config';
import type { Queryable } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { invalidConfig } from './store-error.js';

interface KeyUse {
  name: string;
  /** The field that names it, relative to the object written. */
  path: string;
  user: 'listener' | 'clientCertificate';
}

function keyUsesOf(object: { listener: ListenerConfig } | { service: ServiceConfig }): KeyUse[] {
  if ('listener' in object) {
    return (object.listener.tls?.certificates ?? []).map((name, index) => ({ name, path: `tls.certificates[${index}]`, user: 'listener' as const }));
  }
  const name = object.service.tls?.clientCertificate;
  return name === undefined ? [] : [{ name, path: 'tls.clientCertificate', user: 'clientCertificate' }];
}

/** validation_failed naming each field of a listener or service that names a stored certificate without a key. */
export async function assertNamedCertificatesHaveKeys(db: Queryable, tenantId: string, object: { listener: ListenerConfig } | { service: ServiceConfig }): Promise<void> {
  const uses = keyUsesOf(object);
  if (uses.length === 0) return;
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM ${quotedTenantSchema(tenantId)}.certificates WHERE key_sha256 IS NULL AND name = ANY($1::text[])`,
    [uses.map((use) => use.name)],
  );
  const keyless = new Set(rows.map((row) => row.name));
  const problems = uses.filter((use) => keyless.has(use.name)).map((use) => ({ path: use.path, message: keylessCertificateMessage(use.name, use.user) }));
  if (problems.length > 0) throw invalidConfig(problems, 'a certificate without a key cannot be used here');
}
