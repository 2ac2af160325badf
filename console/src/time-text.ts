// Times as the console's tables show them: minute precision in UTC, the same for every viewer (the API's times are
// ISO 8601 strings); a missing time is a dash.

export function timeText(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
