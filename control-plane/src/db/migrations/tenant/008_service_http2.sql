-- Services that speak HTTP/2 upstream (issue 15, DESIGN §10 `services[].http2`; gRPC needs it). false keeps
-- HTTP/1.1, and a snapshot leaves the field out, so existing tenants' snapshots do not change.
ALTER TABLE services ADD COLUMN http2 boolean NOT NULL DEFAULT false;
