// The config history page: versions newest first (who made each, when, its note and what it changed), the diff
// between any two versions, and rollback to a version after a confirm step that lists what it would do.
import { useEffect, useRef, useState } from 'preact/hooks';
import { callApi } from './api.js';
import { changedByLabel } from './changed-by.js';
import { diffLine, type ConfigDiff } from './config-diff-rows.js';
import { DiffView } from './diff-view.js';
import { SelectField } from './form-fields.js';
import type { SignedInPageProps } from './pages.js';
import { RollbackPanel, type RollbackOutcome } from './rollback-panel.js';
import { timeText } from './time-text.js';
import { failureMessage, useApiData } from './use-api-data.js';

interface VersionEntry {
  version: number;
  hash: string;
  createdAt: string;
  changedBy: string | null;
  note: string | null;
  changes: { since: number | null; summary: string; diff: ConfigDiff };
}

interface HistoryPageAnswer {
  data: VersionEntry[];
  nextCursor: string | null;
}

interface ShownDiff {
  from: number;
  to: number;
  diff: ConfigDiff;
}

type Notice = { kind: 'status' | 'conflict'; text: string } | null;

export function HistoryPage({ session, onSessionLost }: SignedInPageProps) {
  const base = `/tenants/${session.tenantId}/config`;
  const first = useApiData<HistoryPageAnswer>(`${base}/versions?limit=20`, onSessionLost);
  const [older, setOlder] = useState<{ versions: VersionEntry[]; cursor: string | null } | null>(null);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [shown, setShown] = useState<ShownDiff | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);
  const [rollbackTarget, setRollbackTarget] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const diffHeadingRef = useRef<HTMLHeadingElement>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);

  const versions = [...(first.data?.data ?? []), ...(older?.versions ?? [])];
  const versionOptions = versions.map((entry) => ({ value: String(entry.version), label: String(entry.version) }));
  const newest = first.data?.data[0]?.version;
  const cursor = older === null ? (first.data?.nextCursor ?? null) : older.cursor;
  const fromVersion = from ?? versions[1]?.version ?? newest;
  const toVersion = to ?? newest;

  useEffect(() => {
    if (shown !== null) diffHeadingRef.current?.focus();
  }, [shown]);
  useEffect(() => {
    if (notice !== null) noticeRef.current?.focus();
  }, [notice]);

  const reloadAll = async () => {
    setOlder(null);
    setFrom(null);
    setTo(null);
    await first.reload();
  };
  const loadOlder = async () => {
    if (cursor === null) return;
    try {
      const page = await callApi<HistoryPageAnswer>('GET', `${base}/versions?limit=20&cursor=${encodeURIComponent(cursor)}`);
      setOlder({ versions: [...(older?.versions ?? []), ...page.data], cursor: page.nextCursor });
    } catch (failure) {
      setDiffError(failureMessage(failure, onSessionLost));
    }
  };
  const showDiff = async (event: Event) => {
    event.preventDefault();
    if (fromVersion === undefined || toVersion === undefined) return;
    setDiffError(null);
    try {
      const answer = await callApi<ShownDiff>('GET', `${base}/diff?from=${fromVersion}&to=${toVersion}`);
      setShown({ from: answer.from, to: answer.to, diff: answer.diff });
    } catch (failure) {
      setDiffError(failureMessage(failure, onSessionLost));
    }
  };
  const rollbackFinished = async (outcome: RollbackOutcome) => {
    const target = rollbackTarget;
    setRollbackTarget(null);
    if (outcome.kind === 'cancelled') {
      // Back to the button that opened the panel (enabled again once the panel is gone).
      if (target !== null) setTimeout(() => document.getElementById(`rollback-${target}`)?.focus(), 0);
      return;
    }
    if (outcome.kind === 'conflict') {
      setNotice({
        kind: 'conflict',
        text: `Someone changed the config after this page loaded (${outcome.message}), so nothing was rolled back. The list below is reloaded: check the newest changes, then roll back again if you still want to.`,
      });
    } else {
      const { result } = outcome;
      const written = result.changed ? `Rolled back to version ${target}: version ${result.version} written.` : `The config already matched version ${target}: no new version written.`;
      setNotice({ kind: 'status', text: result.message === '' ? written : `${written} Note: ${result.message}.` });
    }
    setShown(null);
    await reloadAll();
  };

  return (
    <main id="main" class="history-page">
      <h1>Config history</h1>
      {notice !== null && (
        <p ref={noticeRef} tabIndex={-1} class={notice.kind === 'conflict' ? 'warning' : 'notice'} role={notice.kind === 'conflict' ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {first.error !== null && (
        <p class="error" role="alert">
          Could not load the history: {first.error}
        </p>
      )}
      {first.data === null && first.error === null && <p>Loading…</p>}
      {rollbackTarget !== null && newest !== undefined && (
        <RollbackPanel session={session} target={rollbackTarget} newest={newest} onSessionLost={onSessionLost} onFinished={(outcome) => void rollbackFinished(outcome)} />
      )}
      {versions.length > 0 && (
        <section aria-labelledby="history-compare-heading">
          <h2 id="history-compare-heading">Compare two versions</h2>
          <form class="compare" onSubmit={(event) => void showDiff(event)}>
            <SelectField id="history-from" label="From version" value={String(fromVersion)} onChange={(value) => setFrom(Number(value))} options={versionOptions} error={undefined} />
            <SelectField id="history-to" label="To version" value={String(toVersion)} onChange={(value) => setTo(Number(value))} options={versionOptions} error={undefined} />
            <button type="submit">Show changes</button>
          </form>
          {diffError !== null && (
            <p class="error" role="alert">
              {diffError}
            </p>
          )}
          {shown !== null && (
            <div class="card diff-card">
              <h3 ref={diffHeadingRef} tabIndex={-1}>
                Changes from version {shown.from} to version {shown.to}
              </h3>
              <p class="hint">+ added in version {shown.to}, ~ changed, - removed (present in version {shown.from} only).</p>
              <DiffView diff={shown.diff} headingLevel={4} />
            </div>
          )}
        </section>
      )}
      {versions.length > 0 && (
        <section aria-labelledby="history-versions-heading">
          <h2 id="history-versions-heading">Versions, newest first</h2>
          <table class="versions">
            <caption class="visually-hidden">Config versions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Time</th>
                <th scope="col">Changed by</th>
                <th scope="col">Note</th>
                <th scope="col">What changed</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((entry) => (
                <tr key={entry.version}>
                  <th scope="row">{entry.version}</th>
                  <td>{timeText(entry.createdAt)}</td>
                  <td>{entry.changedBy === 'operator' ? <span class="badge">{changedByLabel(entry.changedBy)}</span> : changedByLabel(entry.changedBy)}</td>
                  <td>{entry.note ?? '—'}</td>
                  <td>
                    {entry.changes.summary}
                    {entry.changes.summary !== 'no change' && <span class="diff-names">{diffLine(entry.changes.diff)}</span>}
                  </td>
                  <td>
                    {entry.version === newest ? (
                      <span class="hint">Current</span>
                    ) : (
                      <button type="button" id={`rollback-${entry.version}`} class="secondary small" disabled={rollbackTarget !== null} onClick={() => (setNotice(null), setRollbackTarget(entry.version))}>
                        Roll back to this version<span class="visually-hidden"> ({entry.version})</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {cursor !== null && (
            <button type="button" class="secondary" onClick={() => void loadOlder()}>
              Show older versions
            </button>
          )}
        </section>
      )}
    </main>
  );
}
