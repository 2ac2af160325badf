-- The WebSocket hub's tenant work runs as the tenant's role too (issue 12, item 17). Acks mark the tenant's
-- pending config updates delivered: the base role may read the columns that statement filters on and set
-- delivered_at, nothing else; row-level security (tenant_own_rows, public migration 004) keeps it to the
-- tenant's own rows. Admission's `SELECT … FOR UPDATE OF` the tenant row needs no new grant: 004 already gives
-- UPDATE (updated_at) on public.tenants for the config-change lock.
DO $$
BEGIN
  EXECUTE format('GRANT SELECT (tenant_id, version, delivered_at), UPDATE (delivered_at) ON public.pending_config_updates TO %I',
    public.novagate_role_prefix());
END $$;
