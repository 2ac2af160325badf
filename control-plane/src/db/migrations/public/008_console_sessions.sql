-- Browser sessions of the web console (issue 19): the cookie holds a random session id, this table only its SHA-256,
-- so a read of the table gives no usable session. A session is bound to its tenant's token version (a password
-- change or reset ends it, as it ends platform tokens) and ends at `expires_at` or when logout deletes its row.
-- Only the application role reads it: no tenant role is granted anything here.
CREATE TABLE public.console_sessions (
  id_sha256      char(64) PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
  token_version  integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX console_sessions_tenant_expiry_idx ON public.console_sessions (tenant_id, expires_at);
