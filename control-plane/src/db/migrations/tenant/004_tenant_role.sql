-- The tenant's own database role (public migration 004): created if missing and granted this schema only.
-- Runs with search_path set to the tenant's schema, for new and existing tenants alike.
SELECT public.novagate_ensure_tenant_role(current_schema());
