-- A route need not name a service (issue 17, DESIGN §10): it sends to `backends` (a weighted split), answers a
-- redirect, or answers 500 with none of them. `backends` and `mirrors` name services by name inside the route's
-- `options` (migration 009), so only `service_id` changes: it becomes nullable. The foreign key stays, so a
-- service a route names through `service` can still not be deleted under it.
ALTER TABLE routes ALTER COLUMN service_id DROP NOT NULL;
