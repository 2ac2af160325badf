-- The upstream targets each gateway node last reported unhealthy (issue 16, DESIGN §10 `health`), as
-- [{"service": …, "target": …}], at most 1000 per node (the hub caps it); GET /gateways shows them.
ALTER TABLE gateway_nodes ADD COLUMN unhealthy_targets jsonb NOT NULL DEFAULT '[]';
