// A pool for tests that sees every statement a tenant transaction runs on its clients, apart from the
// transaction's own BEGIN (with its settings), COMMIT and ROLLBACK: counts them, or holds them back.
import type pg from 'pg';
import type { Pool } from '../db/pool.js';

const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK)\b/;

/** `pool`, with `observe` awaited before each statement other than transaction control reaches the database. */
export function observedPool(pool: Pool, observe: (text: string) => void | Promise<void>): Pool {
  const observed = {
    async connect() {
      const client = await pool.connect();
      return {
        async query(text: string, values?: unknown[]) {
          if (!TRANSACTION_CONTROL.test(text)) await observe(text);
          return client.query(text, values);
        },
        release: (error?: Error | boolean) => client.release(error),
      } as unknown as pg.PoolClient;
    },
  };
  return observed as unknown as Pool;
}
