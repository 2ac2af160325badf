// What the overview and gateways pages know about gateway nodes and the tenant's current config version (the config
// history's first entry; 0 before any version).
export const CURRENT_CONFIG_PATH = (tenantId: string) => `/tenants/${tenantId}/config/versions?limit=1`;

export interface ConfigVersionsPage {
  data: { version: number; hash: string }[];
}

export function currentConfigVersion(page: ConfigVersionsPage | null): number | null {
  if (page === null) return null;
  return page.data[0]?.version ?? 0;
}

export interface GatewayNode {
  nodeId: string;
  version: string | null;
  configVersion: number | null;
  configHash: string | null;
  lastSeen: string;
  connectedAt: string | null;
  lastNack: { version: number; message: string | null } | null;
  unhealthyTargets: { service: string; target: string }[];
}

/** A node runs an old config when it reports a version other than the current one (none yet counts as old). */
export function isOutOfDate(node: Pick<GatewayNode, 'configVersion'>, current: number | null): boolean {
  return current !== null && node.configVersion !== current;
}
