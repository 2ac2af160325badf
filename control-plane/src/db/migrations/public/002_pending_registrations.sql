-- Sign-ups waiting for their mailed confirmation (DESIGN §3): nothing is provisioned until the owner of the
-- mailbox spends the token. The token rests only as SHA-256; a row lives 24 h at most.
CREATE TABLE pending_registrations (
  token_hash     char(64) PRIMARY KEY,
  email          text NOT NULL,
  password_hash  text NOT NULL,
  tenant_name    text NOT NULL,
  expires_at     timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_registrations_expires_idx ON pending_registrations (expires_at);
