// Pure: the unhealthy upstream targets of one gateway `health` report (DESIGN §10). A report holds every target
// of the node's current config, so it replaces what the node reported before (a target the config dropped is
// gone with it). Bounded: at most MAX_UNHEALTHY_TARGETS_PER_NODE are kept, the rest counted as dropped.

export const MAX_UNHEALTHY_TARGETS_PER_NODE = 1_000;

export interface TargetRef {
  service: string;
  target: string;
}

/** The report's unhealthy targets, once each, sorted by service then target; past `limit`, counted in `dropped`. */
export function unhealthyTargetsOf(
  targets: readonly (TargetRef & { healthy: boolean })[],
  limit = MAX_UNHEALTHY_TARGETS_PER_NODE,
): { unhealthy: TargetRef[]; dropped: number } {
  // Keyed by both names in JSON, so ("a.b", "c") and ("a", "b.c") stay apart.
  const unhealthy = new Map<string, TargetRef>();
  let dropped = 0;
  for (const { service, target, healthy } of targets) {
    if (healthy) continue;
    const key = JSON.stringify([service, target]);
    if (unhealthy.has(key)) continue;
    if (unhealthy.size >= limit) dropped += 1;
    else unhealthy.set(key, { service, target });
  }
  const sorted = [...unhealthy.values()].sort((a, b) => (a.service === b.service ? compare(a.target, b.target) : compare(a.service, b.service)));
  return { unhealthy: sorted, dropped };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
