-- The fixed tables of one tenant (DESIGN §2). Runs with search_path set to the tenant's schema.
CREATE TABLE services (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL UNIQUE,
  url                 text NOT NULL,
  connect_timeout_ms  integer NOT NULL,
  timeout_ms          integer NOT NULL,
  retries             integer NOT NULL,
  managed_by          text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'kubernetes')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE routes (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL UNIQUE,
  service_id    uuid NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
  paths         text[] NOT NULL,
  methods       text[] NOT NULL DEFAULT '{}',
  hosts         text[] NOT NULL DEFAULT '{}',
  strip_prefix  boolean NOT NULL DEFAULT false,
  auth          text NOT NULL DEFAULT 'none',
  rate_limit    jsonb,
  position      bigserial NOT NULL,
  managed_by    text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'kubernetes')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routes_service_idx ON routes (service_id);

CREATE TABLE consumers (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username        text NOT NULL UNIQUE,
  api_key_hashes  text[] NOT NULL DEFAULT '{}',
  jwt_subject     text UNIQUE,
  rate_limit      jsonb,
  managed_by      text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'kubernetes')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE config_versions (
  version     bigint PRIMARY KEY,
  hash        char(64) NOT NULL,
  snapshot    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gateway_nodes (
  node_id               text PRIMARY KEY,
  software_version      text,
  acked_version         bigint,
  acked_hash            char(64),
  last_nack_version     bigint,
  last_nack_message     text,
  connected_at          timestamptz,
  last_seen             timestamptz
);

CREATE TABLE request_logs (
  request_id     text NOT NULL,
  method         text NOT NULL,
  path_template  text NOT NULL,
  status         integer NOT NULL,
  latency_ms     double precision NOT NULL,
  route          text,
  consumer       text,
  gateway_node   text,
  time           timestamptz NOT NULL
);
CREATE INDEX request_logs_time_idx ON request_logs (time DESC);

CREATE TABLE error_events (
  code      text NOT NULL,
  service   text,
  count     integer NOT NULL,
  time      timestamptz NOT NULL
);
CREATE INDEX error_events_time_idx ON error_events (time DESC);
