// What rolling back to a version would do, in sentences for the confirmation step: from the diff between the newest
// version and the target (GET /config/diff?from=<newest>&to=<target>), what comes back, what disappears and what
// returns to older settings. The control plane's rollback (control-plane tenancy/config-history.ts) leaves the
// objects Kubernetes manages as they are and never revives a consumer key revoked since; the sentences say so.
import { DIFF_KINDS, KIND_TITLES, type ConfigDiff, type DiffKind } from './config-diff-rows.js';

/** Names only the Kubernetes operator writes (control-plane tenancy/entities.ts, isOperatorName). */
export function isKubernetesName(name: string): boolean {
  return name.startsWith('k8s.') || name.startsWith('gwapi.');
}

const list = (names: readonly string[]) => names.join(', ');

/** Per kind, the sentences for names that come back, disappear and return to the target's settings. */
const SENTENCES: Record<DiffKind, { added: string; removed: string; changed: string }> = {
  services: {
    added: 'come back',
    removed: 'disappear (added after version {v})',
    changed: 'return to their settings of version {v}',
  },
  routes: {
    added: 'come back: gateways serve them again',
    removed: 'disappear: gateways stop serving them',
    changed: 'return to their settings of version {v}',
  },
  consumers: {
    added: 'come back with the keys they had in version {v} (keys revoked since stay revoked)',
    removed: 'are deleted: their keys stop working',
    changed: 'return to their settings and keys of version {v}: keys generated since are revoked, keys revoked since stay revoked',
  },
  listeners: {
    added: 'come back',
    removed: 'disappear',
    changed: 'return to their settings of version {v}',
  },
  certificates: {
    added: 'are restored with their keys of version {v}',
    removed: 'are deleted',
    changed: 'return to the certificate and key of version {v}',
  },
};

/**
 * The warnings for rolling back to version `target`, given the diff from the newest version to it: one sentence
 * per kind and change, then one for objects Kubernetes manages (left as they are). Empty when nothing would change.
 */
export function rollbackWarnings(diff: ConfigDiff, target: number): string[] {
  const warnings: string[] = [];
  const kubernetes: string[] = [];
  for (const kind of DIFF_KINDS) {
    for (const change of ['added', 'removed', 'changed'] as const) {
      const names = diff[kind]?.[change] ?? [];
      kubernetes.push(...names.filter(isKubernetesName));
      const own = names.filter((name) => !isKubernetesName(name));
      if (own.length === 0) continue;
      warnings.push(`${KIND_TITLES[kind]} ${list(own)} ${SENTENCES[kind][change].replaceAll('{v}', String(target))}.`);
    }
  }
  if (kubernetes.length > 0) {
    warnings.push(`Objects managed by Kubernetes stay as they are (their resources are their source): ${list([...new Set(kubernetes)].sort())}.`);
  }
  return warnings;
}
