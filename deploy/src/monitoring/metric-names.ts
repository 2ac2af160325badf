// The metric names of DESIGN §9, the only ones the alerts and the dashboard may use.
export const designMetrics = {
  gateway: [
    'novagate_http_requests_total',
    'novagate_http_request_duration_seconds',
    'novagate_upstream_duration_seconds',
    'novagate_rate_limited_total',
    'novagate_rate_limit_backend_errors_total',
    'novagate_auth_failures_total',
    'novagate_config_version',
    'novagate_config_rejected_total',
    'novagate_control_plane_connected',
    'novagate_log_entries_dropped_total',
  ],
  controlPlane: [
    'novagate_gateways_connected',
    'novagate_gateways_out_of_date',
    'novagate_config_push_seconds',
    'novagate_config_push_failures_total',
    'novagate_config_nacks_total',
    'novagate_config_snapshot_bytes',
    'novagate_database_up',
    'novagate_tls_certificate_expiry_timestamp_seconds',
  ],
  operator: ['novagate_reconcile_total', 'novagate_reconcile_duration_seconds', 'novagate_workqueue_depth'],
} as const;

export const allDesignMetrics: readonly string[] = Object.values(designMetrics).flat();

/**
 * Gateway metrics the edge and policy issues added beyond §9 (README, "Where the code differs from DESIGN.md"),
 * which alerts may read too.
 */
export const addedGatewayMetrics: readonly string[] = ['novagate_upstream_target_healthy', 'novagate_jwks_fetch_failures_total'];

/** The series names a PromQL expression reads (novagate_* and up), histogram suffixes removed. */
export function metricsIn(expression: string): string[] {
  const names = new Set<string>();
  for (const match of expression.matchAll(/\b(novagate_[a-z0-9_]+|up)\s*[{[]/g)) {
    names.add(match[1]!.replace(/_(bucket|sum|count)$/, ''));
  }
  return [...names].sort();
}

/** Metric names listed in DESIGN.md section 9 (backticked, before any label braces). */
export function metricsInDesign(designText: string): string[] {
  const section = designText.split(/^## 9\. /m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/`(novagate_[a-z0-9_]+)(?:\{[^`]*\})?`/g)].map((match) => match[1]!).sort();
}
