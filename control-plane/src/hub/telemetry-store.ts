// Writes gateway telemetry (request-log batches and error events) into the sending tenant's own schema.
// The tenant and node come from the authenticated connection, never from the message.
import type { Queryable } from '../db/pool.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import type { ErrorEvent, LogEntry } from './protocol.js';

export async function storeRequestLogs(db: Queryable, tenantId: string, nodeId: string, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO ${quotedTenantSchema(tenantId)}.request_logs
       (request_id, method, path_template, status, latency_ms, route, consumer, gateway_node, time)
     SELECT request_id, method, path_template, status, latency_ms, route, consumer, $9, time
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::text[], $8::timestamptz[])
         AS e(request_id, method, path_template, status, latency_ms, route, consumer, time)`,
    [
      entries.map((e) => e.requestId),
      entries.map((e) => e.method),
      entries.map((e) => e.pathTemplate),
      entries.map((e) => e.status),
      entries.map((e) => e.latencyMs),
      entries.map((e) => e.route),
      entries.map((e) => e.consumer ?? null),
      entries.map((e) => e.time),
      nodeId,
    ],
  );
}

export async function storeErrorEvents(db: Queryable, tenantId: string, events: ErrorEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO ${quotedTenantSchema(tenantId)}.error_events (code, service, count, time)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[])`,
    [events.map((e) => e.code), events.map((e) => e.service), events.map((e) => e.count), events.map((e) => e.time)],
  );
}
