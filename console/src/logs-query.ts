// The logs page's form as an API query: status, route and a time range typed in the browser's local time
// (datetime-local inputs) become /request-logs parameters in UTC. Pure; the page shows the field errors it finds
// (the API checks again and names the same fields).

/** The form's values as typed. */
export interface LogFilters {
  status: string;
  route: string;
  /** A datetime-local value (YYYY-MM-DDTHH:mm[:ss]) or ''. */
  since: string;
  until: string;
}

export const NO_FILTERS: LogFilters = { status: '', route: '', since: '', until: '' };

export type LogsQueryResult = { ok: true; params: Record<string, string> } | { ok: false; fields: Partial<Record<keyof LogFilters, string>> };

/** A datetime-local value read as local time (how the browser parses it), as an ISO instant; null when invalid. */
export function localInputToIso(value: string, parseLocal: (value: string) => Date = (text) => new Date(text)): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const date = parseLocal(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function logsQuery(filters: LogFilters, parseLocal?: (value: string) => Date): LogsQueryResult {
  const fields: Partial<Record<keyof LogFilters, string>> = {};
  const params: Record<string, string> = {};
  const status = filters.status.trim();
  if (status !== '') {
    if (!/^[1-5]\d\d$/.test(status)) fields.status = 'must be an HTTP status from 100 to 599';
    else params.status = status;
  }
  const route = filters.route.trim();
  if (route !== '') params.route = route;
  for (const field of ['since', 'until'] as const) {
    if (filters[field] === '') continue;
    const iso = localInputToIso(filters[field], parseLocal);
    if (iso === null) fields[field] = 'must be a date and time';
    else params[field] = iso;
  }
  if (params.since !== undefined && params.until !== undefined && params.since > params.until) fields.until = 'must not be before since';
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, params };
}

/** `/request-logs?…` for the given params plus a limit and, for the live tail, the cursor. */
export function logsPath(tenantId: string, params: Record<string, string>, extra: { limit: number; after?: string }): string {
  const search = new URLSearchParams({ ...params, limit: String(extra.limit), ...(extra.after === undefined ? {} : { after: extra.after }) });
  return `/tenants/${tenantId}/request-logs?${search.toString()}`;
}
