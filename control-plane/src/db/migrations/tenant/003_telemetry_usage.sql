-- The tenant's telemetry quota counter (issue 12, item 5): request_logs rows written per UTC day. It sits beside
-- request_logs so that the rows and the count are written in one statement: they never disagree, the count
-- survives restarts and every replica shares it, and the row lock serialises only this tenant's writers.
CREATE TABLE telemetry_usage (
  day               date PRIMARY KEY,
  request_log_rows  bigint NOT NULL DEFAULT 0
);
