-- When each request_logs row reached the control plane (the live tail's order, issue 19): `time` is what the
-- gateway reported, and gateways ship batches about once a second and independently, so rows arrive after newer
-- ones. The default is now() (the inserting transaction's start, one value per telemetry batch); now() is not
-- volatile, so PostgreSQL adds the column without rewriting the table and the rows already stored get this
-- migration's time. The index serves the tail's cursor, which compares request ids byte-wise (COLLATE "C").
ALTER TABLE request_logs ADD COLUMN ingested_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX request_logs_ingested_idx ON request_logs (ingested_at, request_id COLLATE "C");
