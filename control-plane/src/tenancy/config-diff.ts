// What changed between two config versions, per entity kind, by name: added, removed and changed (same name, other
// content). Works on fingerprints (name → a digest of the entity), so a caller can compare versions without holding
// their snapshots (config-history.ts has the database compute them). Pure.

/** The entity kinds of a config snapshot the history tells apart. */
export const DIFF_KINDS = ['services', 'routes', 'consumers', 'listeners', 'certificates'] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

/** Per kind, each entity's name and a digest of its content (equal content, equal digest). */
export type EntityFingerprints = Record<DiffKind, Readonly<Record<string, string>>>;

export interface KindDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export type ConfigDiff = Record<DiffKind, KindDiff>;

export const NO_FINGERPRINTS: EntityFingerprints = { services: {}, routes: {}, consumers: {}, listeners: {}, certificates: {} };

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function diffKind(from: Readonly<Record<string, string>>, to: Readonly<Record<string, string>>): KindDiff {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, digest] of Object.entries(to)) {
    const before = Object.hasOwn(from, name) ? from[name] : undefined;
    if (before === undefined) added.push(name);
    else if (before !== digest) changed.push(name);
  }
  const removed = Object.keys(from).filter((name) => !Object.hasOwn(to, name));
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName) };
}

/** The names added, removed and changed in each kind going from `from` to `to`, each list sorted. */
export function diffFingerprints(from: EntityFingerprints, to: EntityFingerprints): ConfigDiff {
  const diff = {} as ConfigDiff;
  for (const kind of DIFF_KINDS) diff[kind] = diffKind(from[kind], to[kind]);
  return diff;
}

/** Only the entries whose name `keep` accepts (say, the ones the operator owns). */
export function filterDiff(diff: ConfigDiff, keep: (kind: DiffKind, name: string) => boolean): ConfigDiff {
  const kept = {} as ConfigDiff;
  for (const kind of DIFF_KINDS) {
    const { added, removed, changed } = diff[kind];
    const accept = (name: string) => keep(kind, name);
    kept[kind] = { added: added.filter(accept), removed: removed.filter(accept), changed: changed.filter(accept) };
  }
  return kept;
}

export function isEmptyDiff(diff: ConfigDiff): boolean {
  return DIFF_KINDS.every((kind) => diff[kind].added.length + diff[kind].removed.length + diff[kind].changed.length === 0);
}

/** One line for a history list: "routes: 1 added, 2 changed; services: 1 removed", or "no change". */
export function diffSummary(diff: ConfigDiff): string {
  const parts: string[] = [];
  for (const kind of DIFF_KINDS) {
    const counts = (['added', 'removed', 'changed'] as const).filter((what) => diff[kind][what].length > 0).map((what) => `${diff[kind][what].length} ${what}`);
    if (counts.length > 0) parts.push(`${kind}: ${counts.join(', ')}`);
  }
  return parts.length === 0 ? 'no change' : parts.join('; ');
}
