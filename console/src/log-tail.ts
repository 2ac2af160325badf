// The logs page's live tail: rows the API returns after the cursor (oldest first) go on top of the shown list
// (newest first), a row already shown is not shown twice, and the list keeps at most `max` rows.

export interface TailRow {
  requestId: string;
  time: string;
}

const keyOf = (row: TailRow) => `${row.time}\u0000${row.requestId}`;

/** `shown` (newest first) with `arrived` (oldest first) on top, without duplicates, at most `max` rows. */
export function mergeTail<T extends TailRow>(shown: readonly T[], arrived: readonly T[], max: number): T[] {
  const seen = new Set(shown.map(keyOf));
  const fresh: T[] = [];
  for (const row of arrived) {
    const key = keyOf(row);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(row);
  }
  return [...fresh.reverse(), ...shown].slice(0, max);
}
