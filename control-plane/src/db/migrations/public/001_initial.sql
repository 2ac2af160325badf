-- Global metadata only (DESIGN §2): plans, tenant accounts, gateway API keys, pending config updates.
CREATE TABLE plans (
  name          text PRIMARY KEY,
  max_services  integer,            -- null = unlimited
  max_routes    integer,
  max_consumers integer,
  max_gateways  integer
);

INSERT INTO plans (name, max_services, max_routes, max_consumers, max_gateways) VALUES
  ('free',         10,    10,     10,     2),
  ('pro',         200,   500,  10000,    20),
  ('enterprise', NULL,  NULL,   NULL,  NULL);

CREATE TABLE tenants (
  id                       uuid PRIMARY KEY,
  name                     text NOT NULL,
  slug                     text NOT NULL UNIQUE,
  plan                     text NOT NULL REFERENCES plans (name),
  owner_email              text NOT NULL,
  password_hash            text,
  token_version            integer NOT NULL DEFAULT 1,
  reset_token_hash         text,
  reset_token_expires_at   timestamptz,
  kubernetes_uid           text UNIQUE,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_owner_email_key ON tenants (lower(owner_email));
CREATE UNIQUE INDEX tenants_reset_token_hash_key ON tenants (reset_token_hash) WHERE reset_token_hash IS NOT NULL;

CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key_hash      char(64) NOT NULL UNIQUE,
  prefix        text NOT NULL,
  name          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);

CREATE TABLE pending_config_updates (
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  version       bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  PRIMARY KEY (tenant_id, version)
);
CREATE INDEX pending_config_updates_undelivered_idx ON pending_config_updates (created_at) WHERE delivered_at IS NULL;
