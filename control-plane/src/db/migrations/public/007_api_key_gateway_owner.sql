-- Gateway API keys bound to one Gateway (DESIGN §11, issue 18): a key whose gateway_owner is `<namespace>/<name>`
-- receives only that Gateway's slice of the tenant's config (gateway/src/config/gateway-slice.ts); NULL (every key
-- made by the admin API or for a Tenant) receives the whole config, as before. The operator sets it on the key it
-- makes for a Gateway; the keys it made before this migration are named `kubernetes-gateway:<namespace>/<name>`
-- (operator/src/controllers/gateway/gateway-key.ts gatewayKeyName) and are bound here. Binding only narrows what
-- a key receives, so a key an admin happened to give that name loses access to the rest of the config, never gains.
ALTER TABLE public.api_keys ADD COLUMN gateway_owner text NULL
  CONSTRAINT api_keys_gateway_owner_format CHECK (gateway_owner ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$');

UPDATE public.api_keys SET gateway_owner = substr(name, length('kubernetes-gateway:') + 1)
 WHERE name LIKE 'kubernetes-gateway:%'
   AND substr(name, length('kubernetes-gateway:') + 1) ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$';

-- The admin API lists the binding; tenant roles may read it, never set it (their keys stay unbound).
DO $$
BEGIN
  EXECUTE format('GRANT SELECT (gateway_owner) ON public.api_keys TO %I', public.novagate_role_prefix());
END $$;
