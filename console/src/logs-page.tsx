// The request logs page: filters (status, route, time range) as a labelled form, rows newest first, and a live
// tail that asks for rows that arrived after the cursor every 2 s while it is on and the tab is visible, merging
// them into the list newest first (at most 500 rows kept). The API re-reads a short overlap before the cursor, so
// rows come again: the page drops the ones it has seen (log-tail.ts). Pausing stops the polling; resuming continues
// from the same cursor, so nothing is missed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { callApi } from './api.js';
import { mergeTail, RecentIds } from './log-tail.js';
import { logsPath, logsQuery, NO_FILTERS, type LogFilters } from './logs-query.js';
import type { SignedInPageProps } from './pages.js';
import { absoluteTime } from './relative-time.js';
import { failureMessage, useApiData } from './use-api-data.js';
import { useVisibleInterval } from './use-visible-interval.js';

interface LogRow {
  requestId: string;
  method: string;
  pathTemplate: string;
  status: number;
  latencyMs: number;
  route: string | null;
  consumer: string | null;
  gatewayNode: string;
  time: string;
}

interface LogsPage {
  data: LogRow[];
  cursor: string;
}

export const TAIL_INTERVAL_MS = 2000;
export const MAX_ROWS = 500;
/** Request ids remembered against repeats: well above what one poll can re-read (at most MAX_ROWS). */
const REMEMBERED_IDS = 5000;
const FIRST_PAGE = 100;

export function LogsPage({ session, onSessionLost }: SignedInPageProps) {
  const [form, setForm] = useState<LogFilters>(NO_FILTERS);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof LogFilters, string>>>({});
  const [params, setParams] = useState<Record<string, string>>({});
  const path = logsPath(session.tenantId, params, { limit: FIRST_PAGE });
  const listed = useApiData<LogsPage>(path, onSessionLost);
  const [rows, setRows] = useState<LogRow[] | null>(null);
  const [live, setLive] = useState(false);
  const [tailStatus, setTailStatus] = useState('');
  const [tailError, setTailError] = useState<string | null>(null);
  const cursor = useRef<string | null>(null);
  const seen = useRef(new RecentIds(REMEMBERED_IDS));
  // The filters of the rows shown: the tail asks with them, not with filters whose list has not arrived yet.
  const shownParams = useRef<Record<string, string> | null>(null);

  useEffect(() => {
    if (listed.data === null) return;
    shownParams.current = params;
    cursor.current = listed.data.cursor;
    seen.current.clear();
    seen.current.keepUnseen(listed.data.data);
    setRows(listed.data.data);
  }, [listed.data]);

  useVisibleInterval(
    async () => {
      const after = cursor.current;
      const askedWith = shownParams.current;
      if (after === null || askedWith === null) return;
      try {
        const page = await callApi<LogsPage>('GET', logsPath(session.tenantId, askedWith, { limit: MAX_ROWS, after }));
        // Another list arrived while the request ran: its rows belong to the old one.
        if (shownParams.current !== askedWith || cursor.current !== after) return;
        cursor.current = page.cursor;
        setTailError(null);
        const fresh = seen.current.keepUnseen(page.data);
        if (fresh.length > 0) {
          setRows((shown) => mergeTail(shown ?? [], fresh, MAX_ROWS));
          setTailStatus(`${fresh.length} new ${fresh.length === 1 ? 'row' : 'rows'} at ${absoluteTime(new Date())}.`);
        }
      } catch (failure) {
        setTailError(failureMessage(failure, onSessionLost));
      }
    },
    TAIL_INTERVAL_MS,
    live,
  );

  const apply = (event: Event) => {
    event.preventDefault();
    const query = logsQuery(form);
    if (!query.ok) {
      setFieldErrors(query.fields);
      const first = (['status', 'route', 'since', 'until'] as const).find((field) => query.fields[field] !== undefined);
      if (first !== undefined) document.getElementById(`logs-${first}`)?.focus();
      return;
    }
    setFieldErrors({});
    // The same filters again still ask again: Apply is also how the list is refreshed.
    if (JSON.stringify(query.params) === JSON.stringify(params)) void listed.reload();
    else setParams(query.params);
    setTailStatus('');
  };
  const toggleLive = () => {
    setLive(!live);
    setTailStatus(live ? 'Live tail paused.' : 'Live tail on: new rows join the list every 2 seconds.');
  };

  return (
    <main id="main" class="wide">
      <h1>Request logs</h1>
      <form class="card filters" onSubmit={apply} noValidate aria-labelledby="logs-filters-heading">
        <h2 id="logs-filters-heading">Filters</h2>
        <div class="filter-fields">
          <FilterField id="logs-status" label="Status" type="text" inputMode="numeric" value={form.status} onInput={(status) => setForm({ ...form, status })} error={fieldErrors.status} hint="For example 503" />
          <FilterField id="logs-route" label="Route" type="text" value={form.route} onInput={(route) => setForm({ ...form, route })} error={fieldErrors.route} hint="The route's name" />
          <FilterField id="logs-since" label="From (local time)" type="datetime-local" value={form.since} onInput={(since) => setForm({ ...form, since })} error={fieldErrors.since} hint="Included" />
          <FilterField id="logs-until" label="To (local time)" type="datetime-local" value={form.until} onInput={(until) => setForm({ ...form, until })} error={fieldErrors.until} hint="Excluded" />
        </div>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setForm(NO_FILTERS);
              setFieldErrors({});
              setParams({});
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <section aria-labelledby="logs-list-heading">
        <div class="list-header">
          <h2 id="logs-list-heading">Requests, newest first</h2>
          <button type="button" class={live ? 'live-on' : 'secondary'} aria-pressed={live} onClick={toggleLive}>
            Live tail
          </button>
        </div>
        <p class="status" role="status">
          {tailStatus}
        </p>
        {(listed.error ?? tailError) !== null && (
          <p class="error" role="alert">
            Could not load the logs: {listed.error ?? tailError}
          </p>
        )}
        {rows === null && listed.error === null && <p>Loading…</p>}
        {rows !== null && rows.length === 0 && <p>No request matches these filters{live ? ' yet' : ''}.</p>}
        {rows !== null && rows.length > 0 && (
          <table class="logs">
            <caption class="visually-hidden">Request logs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Method</th>
                <th scope="col">Path</th>
                <th scope="col">Status</th>
                <th scope="col">Latency</th>
                <th scope="col">Route</th>
                <th scope="col">Consumer</th>
                <th scope="col">Gateway</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.time} ${row.requestId}`}>
                  <td>
                    <time dateTime={row.time}>{absoluteTime(new Date(row.time))}</time>
                  </td>
                  <td>{row.method}</td>
                  <td>{row.pathTemplate}</td>
                  <td class={row.status >= 500 ? 'status-5xx' : row.status >= 400 ? 'status-4xx' : undefined}>{row.status}</td>
                  <td>{row.latencyMs.toFixed(1)} ms</td>
                  <td>{row.route ?? 'none'}</td>
                  <td>{row.consumer ?? 'none'}</td>
                  <td>{row.gatewayNode}</td>
                  <td>
                    <code>{row.requestId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}

function FilterField(props: {
  id: string;
  label: string;
  type: 'text' | 'datetime-local';
  inputMode?: 'numeric';
  value: string;
  onInput: (value: string) => void;
  error: string | undefined;
  hint: string;
}) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const common = {
    id: props.id,
    value: props.value,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
    'aria-invalid': props.error === undefined ? undefined : ('true' as const),
    'aria-describedby': props.error === undefined ? hintId : `${errorId} ${hintId}`,
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.type === 'datetime-local' ? <input type="datetime-local" {...common} /> : <input type="text" inputMode={props.inputMode} {...common} />}
      <p id={hintId} class="hint">
        {props.hint}
      </p>
      {props.error !== undefined && (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}
