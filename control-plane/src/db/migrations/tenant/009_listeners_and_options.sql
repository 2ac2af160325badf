-- Listeners (issue 15, DESIGN §10 `listeners`) and the newer fields of services and routes (issues 15-17).
-- A listener is stored as its validated config object; `routes[].listeners` and every other field a service or a
-- route gained after the first columns live in `options` (the gateway schema validates them, a snapshot spreads
-- them back), so a new config field needs no new column. `url` may be absent when a service lists `targets`.
CREATE TABLE listeners (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  spec        jsonb NOT NULL,
  managed_by  text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'kubernetes')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE services ALTER COLUMN url DROP NOT NULL;
ALTER TABLE services ADD COLUMN options jsonb NOT NULL DEFAULT '{}';
ALTER TABLE routes ADD COLUMN options jsonb NOT NULL DEFAULT '{}';
