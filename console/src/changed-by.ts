// Who made a config version, in words for the history page. The control plane records the kind of writer
// (config_versions.changed_by): a tenant's API client or console session, the Kubernetes operator, or NovaGate
// itself (the empty config a new tenant starts with); versions older than that record have none.

/** The writers the control plane records (control-plane tenancy/config-versions.ts, ConfigChangedBy). */
export type ConfigChangedBy = 'api' | 'operator' | 'system';

/** The label the history shows for `changedBy`; an unknown value is shown as it is, so nothing is hidden. */
export function changedByLabel(changedBy: string | null): string {
  switch (changedBy) {
    case 'api':
      return 'API (console or API client)';
    case 'operator':
      return 'Kubernetes operator';
    case 'system':
      return 'NovaGate';
    case null:
      return 'Not recorded';
    default:
      return changedBy;
  }
}
