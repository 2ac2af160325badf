// Completes a rotation of SECRETS_ENCRYPTION_KEY: every tenant's certificate keys sealed under another key (the
// accepted one) are re-sealed under the current key, and the newest config version takes the new seals in place
// (config-versions.ts), so the previous key can be retired. Idempotent: replicas may run it at once.
import type { Pool } from '../db/pool.js';
import { lockTenantForConfigChange, recordConfigVersion } from './config-versions.js';
import { quotedTenantSchema } from './schema-name.js';
import type { SecretBox } from './secret-box.js';
import { withTenantTransaction } from './tenant-transaction.js';

export interface ResealOutcome {
  resealed: number;
  /** Tenant ids with a key neither the current nor the accepted key opens (never the key or its text). */
  unopened: string[];
}

/** Re-seals what an older key sealed, tenant by tenant (each in its own transaction under the tenant lock). */
export async function resealCertificates(pool: Pool, box: SecretBox, signal?: AbortSignal): Promise<ResealOutcome> {
  const outcome: ResealOutcome = { resealed: 0, unopened: [] };
  const { rows: tenants } = await pool.query<{ id: string }>('SELECT id FROM public.tenants ORDER BY id');
  for (const { id: tenantId } of tenants) {
    if (signal?.aborted === true) break;
    const table = `${quotedTenantSchema(tenantId)}.certificates`;
    await withTenantTransaction(pool, tenantId, async (client) => {
      const stale = await client.query<{ id: string; key_sealed: string }>(`SELECT id, key_sealed FROM ${table} WHERE key_sealed NOT LIKE $1`, [
        `v1:${box.keyId}:%`,
      ]);
      if (stale.rows.length === 0) return;
      if ((await lockTenantForConfigChange(client, tenantId)) === null) return;
      let changed = 0;
      for (const row of stale.rows) {
        let plaintext: string;
        try {
          plaintext = box.open(row.key_sealed, tenantId);
        } catch {
          if (!outcome.unopened.includes(tenantId)) outcome.unopened.push(tenantId);
          continue;
        }
        await client.query(`UPDATE ${table} SET key_sealed = $2 WHERE id = $1`, [row.id, box.seal(plaintext, tenantId)]);
        changed += 1;
      }
      if (changed > 0) await recordConfigVersion(client, tenantId, { by: 'system', note: 'certificate keys re-sealed' });
      outcome.resealed += changed;
    });
  }
  return outcome;
}
