-- Gateway admission leases (issue 12, item 7): a node holds one of its plan's gateway slots while its lease
-- is live. lease_holder is the id of the control-plane WebSocket connection that holds it (a second connection
-- with the same node id takes it over); lease_expires_at is renewed by the hub's heartbeat, so a gateway whose
-- control plane crashed frees its slot when the lease runs out.
ALTER TABLE gateway_nodes
  ADD COLUMN lease_holder      text,
  ADD COLUMN lease_expires_at  timestamptz;
