// The logs page's live tail. A tail poll answers the rows that arrived after the cursor and re-reads the ones that
// arrived just before it (a late commit is among them), so rows come again: RecentIds remembers the request ids
// of the last rows seen (bounded) and lets only unseen ones through; mergeTail puts those into the shown list,
// newest first by the gateway's time like the list itself, keeping at most `max` rows.

export interface TailRow {
  requestId: string;
  /** RFC 3339, the time the gateway reported. */
  time: string;
}

/** The request ids of the last `capacity` rows seen, forgetting the oldest past that. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {}

  /** The rows whose request id was not seen (a repeat within `rows` counts as seen); remembers them all. */
  keepUnseen<T extends TailRow>(rows: readonly T[]): T[] {
    const unseen: T[] = [];
    for (const row of rows) {
      if (this.ids.has(row.requestId)) this.ids.delete(row.requestId);
      else unseen.push(row);
      // Re-added as the newest: a row the tail keeps re-reading is not forgotten while it does.
      this.ids.add(row.requestId);
      if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    }
    return unseen;
  }

  /** Forgets every id (a new list was loaded). */
  clear(): void {
    this.ids.clear();
  }
}

/** `shown` and `arrived` together, newest first by time (then request id, as the API lists), at most `max` rows. */
export function mergeTail<T extends TailRow>(shown: readonly T[], arrived: readonly T[], max: number): T[] {
  return [...arrived, ...shown].sort(newestFirst).slice(0, max);
}

function newestFirst(a: TailRow, b: TailRow): number {
  const byTime = Date.parse(b.time) - Date.parse(a.time);
  if (byTime !== 0) return byTime;
  return a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0;
}
