// Pure: which upstream targets one gateway connection reported unhealthy (DESIGN §10 `health`). Each report is
// applied on top of the last: `healthy: false` adds a target, `healthy: true` removes it, an unmentioned target
// keeps its state (a gateway sends every target on connect, then changes). Bounded: at most
// MAX_UNHEALTHY_TARGETS_PER_NODE are kept; later ones are refused (counted) until others recover.

export const MAX_UNHEALTHY_TARGETS_PER_NODE = 1_000;

export interface TargetRef {
  service: string;
  target: string;
}

export interface UnhealthyTargets {
  /** Applies one report; answers how many unhealthy targets did not fit under the cap. */
  apply(targets: readonly (TargetRef & { healthy: boolean })[]): { dropped: number };
  /** The unhealthy targets, sorted by service then target. */
  list(): TargetRef[];
}

export function createUnhealthyTargets(limit = MAX_UNHEALTHY_TARGETS_PER_NODE): UnhealthyTargets {
  // Keyed by both names in JSON, so ("a.b", "c") and ("a", "b.c") stay apart.
  const unhealthy = new Map<string, TargetRef>();
  return {
    apply(targets) {
      let dropped = 0;
      for (const { service, target, healthy } of targets) {
        const key = JSON.stringify([service, target]);
        if (healthy) unhealthy.delete(key);
        else if (unhealthy.has(key)) continue;
        else if (unhealthy.size >= limit) dropped += 1;
        else unhealthy.set(key, { service, target });
      }
      return { dropped };
    },
    list() {
      return [...unhealthy.values()].sort((a, b) => (a.service === b.service ? compare(a.target, b.target) : compare(a.service, b.service)));
    },
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
