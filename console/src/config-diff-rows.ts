// The control plane's config diff (GET /config/diff, and each history entry's `changes.diff`: per entity kind, the
// names added, removed and changed) as rows the history page renders: one group per kind that changed, each entry
// with a text marker and a word (never colour alone).

/** The entity kinds a config diff tells apart (control-plane tenancy/config-diff.ts, DIFF_KINDS). */
export const DIFF_KINDS = ['services', 'routes', 'consumers', 'listeners', 'certificates'] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

export interface KindDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export type ConfigDiff = Record<DiffKind, KindDiff>;

export type Change = keyof KindDiff;

export interface DiffEntry {
  change: Change;
  /** `+` added, `-` removed, `~` changed: readable without colour, and in the page's text when copied. */
  marker: '+' | '-' | '~';
  name: string;
}

export interface DiffGroup {
  kind: DiffKind;
  /** "Services", "Routes", … */
  title: string;
  entries: DiffEntry[];
}

export const KIND_TITLES: Record<DiffKind, string> = {
  services: 'Services',
  routes: 'Routes',
  consumers: 'Consumers',
  listeners: 'Listeners',
  certificates: 'Certificates',
};

const MARKERS: Record<Change, DiffEntry['marker']> = { added: '+', removed: '-', changed: '~' };
const ORDER: readonly Change[] = ['added', 'changed', 'removed'];

/** The kinds that changed, in the API's kind order, each with its added, then changed, then removed names. */
export function diffGroups(diff: ConfigDiff): DiffGroup[] {
  const groups: DiffGroup[] = [];
  for (const kind of DIFF_KINDS) {
    const changes = diff[kind];
    const entries = ORDER.flatMap((change) => (changes?.[change] ?? []).map((name) => ({ change, marker: MARKERS[change], name })));
    if (entries.length > 0) groups.push({ kind, title: KIND_TITLES[kind], entries });
  }
  return groups;
}

/** One line for a history row, names included: "Services: + orders, ~ users; Routes: - beta", or "No change". */
export function diffLine(diff: ConfigDiff): string {
  const groups = diffGroups(diff);
  if (groups.length === 0) return 'No change';
  return groups.map((group) => `${group.title}: ${group.entries.map((entry) => `${entry.marker} ${entry.name}`).join(', ')}`).join('; ');
}
