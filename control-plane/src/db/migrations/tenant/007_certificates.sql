-- Pushed TLS certificates (issue 15, DESIGN §10 `certificates`, "Private keys"): the chain as PEM, the private key
-- only sealed with AES-256-GCM under SECRETS_ENCRYPTION_KEY (tenancy/secret-box.ts, its key id inside the text), and
-- what the API shows instead of the key: its SHA-256. The plaintext key is never stored.
CREATE TABLE certificates (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL UNIQUE,
  cert_pem            text NOT NULL,
  key_sealed          text NOT NULL,
  key_sha256          text NOT NULL,
  names               text[] NOT NULL,
  chain               jsonb NOT NULL,
  fingerprint_sha256  text NOT NULL,
  not_before          timestamptz NOT NULL,
  not_after           timestamptz NOT NULL,
  managed_by          text NOT NULL DEFAULT 'api' CHECK (managed_by IN ('api', 'kubernetes')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
