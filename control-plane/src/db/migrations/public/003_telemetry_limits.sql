-- Telemetry quotas and retention per plan (issue 12, item 5): request_logs rows a tenant may write per UTC day
-- (null = unlimited) and how many days its request_logs and error_events are kept.
ALTER TABLE plans
  ADD COLUMN telemetry_rows_per_day   bigint  DEFAULT 100000 CHECK (telemetry_rows_per_day >= 0),
  ADD COLUMN telemetry_retention_days integer NOT NULL DEFAULT 7 CHECK (telemetry_retention_days > 0);

UPDATE plans SET telemetry_rows_per_day = 100000,  telemetry_retention_days = 7  WHERE name = 'free';
UPDATE plans SET telemetry_rows_per_day = 5000000, telemetry_retention_days = 30 WHERE name = 'pro';
UPDATE plans SET telemetry_rows_per_day = NULL,    telemetry_retention_days = 90 WHERE name = 'enterprise';
