-- CA-only (keyless) certificates (issue 16 follow-up, DESIGN §10 `certificates`): an entry without a private key is
-- a CA bundle that services[].tls.caCertificate verifies upstreams with, so no user pushes a CA's key. Such a row has
-- neither a sealed key nor its SHA-256; a row with a key has both.
ALTER TABLE certificates
  ALTER COLUMN key_sealed DROP NOT NULL,
  ALTER COLUMN key_sha256 DROP NOT NULL,
  ADD CONSTRAINT certificates_key_sealed_with_sha256 CHECK ((key_sealed IS NULL) = (key_sha256 IS NULL));
