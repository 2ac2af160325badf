-- Routes that match their paths whatever the case (issue 12, DESIGN §10 `caseInsensitive`). false keeps Gateway
-- API's case-sensitive default, and a snapshot leaves the field out, so existing tenants' snapshots do not change.
ALTER TABLE routes ADD COLUMN case_insensitive boolean NOT NULL DEFAULT false;
