// One statement with parameters as a tenant's role in ONE round trip: the settings statement and the statement
// go to the server as one extended-protocol pipeline (Parse/Bind/Execute twice, then one Sync). Everything
// before a Sync is one implicit transaction, so `set_config(…, true)` (SET LOCAL) holds for the statement, and
// the Sync commits both or, after an error, rolls both back; the tenant id is a bound parameter, nothing is
// spliced into SQL text.
import pg from 'pg';

/** Zero rows (so no row description is needed for it), both settings evaluated. */
const SETTINGS = `WITH s AS MATERIALIZED (
  SELECT set_config('role', public.novagate_tenant_role($1::uuid), true) AS r, set_config('novagate.tenant_id', $1::text, true) AS t)
SELECT FROM s WHERE r IS NULL OR t IS NULL`;

/** The parts of pg's Connection the pipeline writes (pg/lib/connection.js). */
interface WireConnection {
  parse(config: { text: string; name: string; types: unknown[] }): void;
  bind(config: { portal: string; statement: string; values: string[] }): void;
  execute(config: { portal: string; rows: number }): void;
}

class TenantStatementQuery extends pg.Query {
  constructor(
    private readonly tenantId: string,
    text: string,
    values: unknown[],
    callback: (error: Error | null, results?: pg.QueryResult[]) => void,
  ) {
    super({ text, values, callback } as pg.QueryConfig);
  }

  /** Always the extended protocol, even without parameters: the settings need a bound tenant id. */
  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: WireConnection): void {
    connection.parse({ text: SETTINGS, name: '', types: [] });
    // A string goes as text as it is: no value mapping needed.
    connection.bind({ portal: '', statement: '', values: [this.tenantId] });
    connection.execute({ portal: '', rows: 0 });
    (pg.Query.prototype as unknown as { prepare(connection: WireConnection): void }).prepare.call(this, connection);
  }
}

/** Runs `text` with `values` as the tenant's role on `client`, in one round trip; answers the statement's result. */
export function pipelinedTenantStatement<R extends pg.QueryResultRow>(client: pg.PoolClient, tenantId: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const query = new TenantStatementQuery(tenantId, text, values, (error, results) => {
      if (settled) return;
      settled = true;
      if (error !== null) reject(error);
      else if (!Array.isArray(results) || results.length !== 2) reject(new Error('tenant statement: expected the settings and the statement results'));
      else resolve(results[1] as pg.QueryResult<R>);
    });
    // pg answers a submittable through its callback; a wrapper's own failure (a client already released, a
    // test double) rejects the returned value instead.
    Promise.resolve(client.query(query as unknown as pg.QueryConfig)).catch((error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}
