-- Per-tenant database roles (issue 12, item 17). Every tenant-scoped transaction switches to its tenant's
-- role (NOLOGIN), which can use only its own schema; the public rows such a transaction touches are limited
-- to the tenant's own by row-level security keyed by the transaction setting `novagate.tenant_id`. The
-- application role owns every table, so it bypasses these policies; only the tenant roles are held to them.
--
-- Role names are unique per cluster, not per database: `ngt_<8 hex of md5(database name)>` is this database's
-- base role (the grants on public tables every tenant role inherits) and `<base>_<uuid without hyphens>` a
-- tenant's role, so two databases on one cluster (tests, staging beside production) never share a role.
CREATE FUNCTION public.novagate_role_prefix() RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT 'ngt_' || left(md5(current_database()), 8) $$;

CREATE FUNCTION public.novagate_tenant_role(tenant_id uuid) RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT public.novagate_role_prefix() || '_' || replace(tenant_id::text, '-', '') $$;

-- Grants `role` to the role running this (the application) so that it can SET ROLE to it. PostgreSQL 16
-- split membership into ADMIN, INHERIT and SET: the application needs SET only, and must not inherit a
-- tenant's privileges; before 16 a plain GRANT is all there is.
CREATE FUNCTION public.novagate_grant_role_to_app(role text) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('server_version_num')::int >= 160000 THEN
    EXECUTE format('GRANT %I TO %I WITH SET TRUE, INHERIT FALSE', role, current_user);
  ELSE
    EXECUTE format('GRANT %I TO %I', role, current_user);
  END IF;
END $$;

-- Creates (when missing) the role of the tenant schema `schema_name` and grants it that schema, its tables and
-- sequences, and the ones later tenant migrations create there. Called by tenant migration 004, so that
-- provisioning and the migration of existing tenants go through the same code.
CREATE FUNCTION public.novagate_ensure_tenant_role(schema_name text) RETURNS text
  LANGUAGE plpgsql AS $$
DECLARE
  tenant_id uuid := replace(substr(schema_name, length('tenant_') + 1), '_', '-')::uuid;
  role text := public.novagate_tenant_role(tenant_id);
BEGIN
  IF schema_name <> 'tenant_' || replace(tenant_id::text, '-', '_') THEN
    RAISE EXCEPTION 'not a tenant schema: %', schema_name;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', role);
  END IF;
  PERFORM public.novagate_grant_role_to_app(role);
  -- The base role's grants on public tables reach the tenant role by inheritance.
  EXECUTE format('GRANT %I TO %I', public.novagate_role_prefix(), role);
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_name, role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', schema_name, role);
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_name, role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', schema_name, role);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', schema_name, role);
  RETURN role;
END $$;

-- Only the application calls these; a tenant role calling them would fail anyway (no CREATEROLE).
REVOKE EXECUTE ON FUNCTION public.novagate_grant_role_to_app(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION public.novagate_ensure_tenant_role(text) FROM PUBLIC;

-- The base role: what every tenant transaction may do outside its own schema.
DO $$
DECLARE
  base text := public.novagate_role_prefix();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = base) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', base);
  END IF;
  PERFORM public.novagate_grant_role_to_app(base);
  EXECUTE format('GRANT SELECT ON public.plans TO %I', base);
  -- The tenant row: its public columns (never the password or reset token hashes), and UPDATE of updated_at
  -- only so that `SELECT … FOR UPDATE` (the config-change lock) is allowed.
  EXECUTE format('GRANT SELECT (id, name, slug, plan, created_at, updated_at), UPDATE (updated_at) ON public.tenants TO %I', base);
  -- Gateway API keys: list, create, revoke; the stored hash can be written, never read back.
  EXECUTE format('GRANT SELECT (id, tenant_id, prefix, name, created_at, last_used_at, revoked_at), INSERT (tenant_id, key_hash, prefix, name), UPDATE (revoked_at) ON public.api_keys TO %I', base);
  EXECUTE format('GRANT INSERT ON public.pending_config_updates TO %I', base);
END $$;

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.pending_config_updates ENABLE ROW LEVEL SECURITY;

-- Unset (a transaction that never said which tenant it is) matches no row.
CREATE FUNCTION public.novagate_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('novagate.tenant_id', true), '')::uuid $$;

CREATE POLICY tenant_own_row ON public.tenants
  USING (id = public.novagate_current_tenant()) WITH CHECK (id = public.novagate_current_tenant());
CREATE POLICY tenant_own_rows ON public.api_keys
  USING (tenant_id = public.novagate_current_tenant()) WITH CHECK (tenant_id = public.novagate_current_tenant());
CREATE POLICY tenant_own_rows ON public.pending_config_updates
  USING (tenant_id = public.novagate_current_tenant()) WITH CHECK (tenant_id = public.novagate_current_tenant());
