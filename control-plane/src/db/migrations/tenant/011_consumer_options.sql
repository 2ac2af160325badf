-- Consumers gain an `options` column like services and routes (migration 009): every config field without a
-- column of its own (issue 17's `groups`, `jwtProvider`, `basicAuth`), validated by the gateway schema and spread
-- back into the snapshot. A JWT subject is unique per provider (DESIGN §10: `jwtProvider` scopes `jwtSubject`),
-- so the unique constraint becomes a unique index over (provider, subject) under the same name.
ALTER TABLE consumers ADD COLUMN options jsonb NOT NULL DEFAULT '{}';
ALTER TABLE consumers DROP CONSTRAINT consumers_jwt_subject_key;
CREATE UNIQUE INDEX consumers_jwt_subject_key ON consumers ((coalesce(options->>'jwtProvider', '')), jwt_subject);
