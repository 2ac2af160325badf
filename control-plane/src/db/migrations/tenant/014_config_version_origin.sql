-- Who made each config version (issue 19, config history): the admin API ('api'), the Kubernetes operator
-- ('operator') or the control plane itself ('system': provisioning, re-sealing certificate keys), and an optional
-- note ("rollback to version 3"). Versions written before this migration have neither (null: not recorded).
ALTER TABLE config_versions
  ADD COLUMN changed_by text CHECK (changed_by IN ('api', 'operator', 'system')),
  ADD COLUMN change_note text CHECK (length(change_note) <= 200);
