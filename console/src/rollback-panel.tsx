// The confirm step of a rollback: what rolling back to `target` would do (the diff from the newest version the page
// loaded to the target, as warnings and as a diff), then POST .../versions/:target/rollback with that newest version
// as the precondition. A 409 version_conflict means the config changed after the page loaded: the caller reloads.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';
import type { ConfigDiff } from './config-diff-rows.js';
import { DiffView } from './diff-view.js';
import { rollbackWarnings } from './rollback-warnings.js';
import type { Session } from './session.js';
import { failureMessage } from './use-api-data.js';

export interface RollbackResult {
  version: number;
  changed: boolean;
  rolledBackTo: number;
  revokedKeysLeftOut: string[];
  message: string;
}

export type RollbackOutcome = { kind: 'done'; result: RollbackResult } | { kind: 'conflict'; message: string } | { kind: 'cancelled' };

interface Props {
  session: Session;
  target: number;
  /** The newest version the page shows: the precondition (the config must still be at it). */
  newest: number;
  onSessionLost: () => void;
  onFinished: (outcome: RollbackOutcome) => void;
}

export function RollbackPanel({ session, target, newest, onSessionLost, onFinished }: Props) {
  const base = `/tenants/${session.tenantId}/config`;
  const [diff, setDiff] = useState<ConfigDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
    callApi<{ diff: ConfigDiff }>('GET', `${base}/diff?from=${newest}&to=${target}`).then(
      (answer) => setDiff(answer.diff),
      (failure: unknown) => setError(failureMessage(failure, onSessionLost)),
    );
  }, [target, newest]);

  const rollBack = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await callApi<RollbackResult>('POST', `${base}/versions/${target}/rollback`, { body: { version: newest }, csrfToken: session.csrfToken });
      onFinished({ kind: 'done', result });
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.code === 'version_conflict') return onFinished({ kind: 'conflict', message: failure.message });
      setError(failureMessage(failure, onSessionLost));
      setBusy(false);
    }
  };

  const warnings = diff === null ? [] : rollbackWarnings(diff, target);
  return (
    <section class="card rollback-panel" aria-labelledby="rollback-heading" onKeyDown={(e) => e.key === 'Escape' && onFinished({ kind: 'cancelled' })}>
      <h2 id="rollback-heading" ref={headingRef} tabIndex={-1}>
        Roll back to version {target}?
      </h2>
      <p>Rolling back writes a new version whose services, routes, consumers, listeners and certificates are those of version {target}. Gateways receive it at once.</p>
      {diff === null && error === null && <p>Working out what would change…</p>}
      {diff !== null && warnings.length === 0 && <p>The config already matches version {target}: nothing would change.</p>}
      {warnings.length > 0 && (
        <>
          <h3>What the rollback does</h3>
          <ul class="warnings">
            {warnings.map((warning) => (
              <li key={warning} class="warning">
                {warning}
              </li>
            ))}
          </ul>
          <details>
            <summary>Changes from version {newest} (now) to version {target}</summary>
            <DiffView diff={diff!} headingLevel={4} />
          </details>
        </>
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="danger" disabled={busy || diff === null} onClick={() => void rollBack()}>
          {busy ? 'Rolling back…' : `Yes, roll back to version ${target}`}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => onFinished({ kind: 'cancelled' })}>
          Cancel
        </button>
      </div>
    </section>
  );
}
