// "3 min ago" for a time shown beside its absolute form (the absolute one is in the element's title / datetime).

const UNITS: [limitSeconds: number, secondsPerUnit: number, unit: string][] = [
  [60, 1, 's'],
  [3600, 60, 'min'],
  [86_400, 3600, 'h'],
  [Number.POSITIVE_INFINITY, 86_400, 'd'],
];

/** How long ago `then` was at `now` (or how far ahead), in the largest whole unit: "just now", "5 s ago", "in 2 h". */
export function relativeTime(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 2) return 'just now';
  const [, perUnit, unit] = UNITS.find(([limit]) => magnitude < limit)!;
  const amount = Math.floor(magnitude / perUnit);
  return seconds > 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** The absolute form: ISO 8601 in UTC to the second, e.g. 2026-11-30 10:15:02 UTC. */
export function absoluteTime(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
