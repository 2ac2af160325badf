// Gateway API keys (GET/POST/DELETE /tenants/:id/api-keys): the keys a gateway process connects with. The list shows
// each key's prefix, never the key; a new key is shown once (SecretOnce) and only held in this component's state
// until dismissed; revoking asks first.
import { useRef, useState } from 'preact/hooks';
import { callApi } from './api.js';
import type { Session } from './session.js';
import { RevokeButton } from './revoke-button.js';
import { KeyNameForm } from './key-name-form.js';
import { SecretOnce } from './secret-once.js';
import { timeText } from './time-text.js';
import { failureMessage, useApiData } from './use-api-data.js';

interface GatewayKey {
  id: string;
  prefix: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** `<namespace>/<name>` of the Kubernetes Gateway the key is bound to; null: the whole config. */
  gatewayOwner: string | null;
}

interface CreatedKey {
  name: string;
  key: string;
}

export function GatewayKeysSection({ session, onSessionLost }: { session: Session; onSessionLost: () => void }) {
  const base = `/tenants/${session.tenantId}/api-keys`;
  const keys = useApiData<{ data: GatewayKey[] }>(base, onSessionLost);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const nameRef = useRef<HTMLInputElement>(null);

  const create = async (name: string) => {
    setStatus('');
    const answer = await callApi<CreatedKey>('POST', base, { body: { name }, csrfToken: session.csrfToken });
    setCreated({ name: answer.name, key: answer.key });
    await keys.reload();
  };
  const dismiss = () => {
    setCreated(null);
    nameRef.current?.focus();
  };
  const revoke = async (key: GatewayKey) => {
    setError(null);
    try {
      await callApi('DELETE', `${base}/${key.id}`, { csrfToken: session.csrfToken });
      setStatus(`Gateway key ${key.name} revoked.`);
      await keys.reload();
      // Its row (and the button that had the focus) is gone: the section's heading takes the focus.
      document.getElementById('gateway-keys-heading')?.focus();
    } catch (failure) {
      setError(failureMessage(failure, onSessionLost));
    }
  };

  const active = keys.data?.data.filter((key) => key.revokedAt === null) ?? [];
  const revoked = keys.data?.data.filter((key) => key.revokedAt !== null) ?? [];
  return (
    <section aria-labelledby="gateway-keys-heading">
      <h2 id="gateway-keys-heading" tabIndex={-1}>Gateway API keys</h2>
      <p class="hint">A gateway process connects to the control plane with one of these keys and receives your config.</p>
      {created !== null && <SecretOnce id="gateway-key-secret" label={`New gateway key ${created.name}`} secret={created.key} onDismiss={dismiss} />}
      {keys.error !== null && (
        <p class="error" role="alert">
          Could not load the gateway keys: {keys.error}
        </p>
      )}
      {keys.data === null && keys.error === null && <p>Loading…</p>}
      {keys.data !== null && active.length === 0 && <p>No active gateway key.</p>}
      {active.length > 0 && (
        <table class="keys">
          <caption class="visually-hidden">Active gateway API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Receives</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {active.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{timeText(key.createdAt)}</td>
                <td>{key.lastUsedAt === null ? 'Never' : timeText(key.lastUsedAt)}</td>
                <td>{key.gatewayOwner === null ? 'Whole config' : <span class="badge">Gateway {key.gatewayOwner}</span>}</td>
                <td>
                  <RevokeButton what={`gateway key ${key.name}`} consequence="Gateways using it are disconnected at once." onRevoke={() => revoke(key)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoked.length > 0 && (
        <details class="revoked-keys">
          <summary>Revoked gateway keys ({revoked.length})</summary>
          <ul>
            {revoked.map((key) => (
              <li key={key.id}>
                {key.name} <code>{key.prefix}…</code>, revoked {timeText(key.revokedAt)}
              </li>
            ))}
          </ul>
        </details>
      )}
      <KeyNameForm
        idPrefix="gateway-key"
        heading="Create a gateway key"
        hint="What the key is for, for example the gateway that will use it."
        submitLabel="Create gateway key"
        inputRef={nameRef}
        onCreate={create}
        onSessionLost={onSessionLost}
      />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="status" role="status">
        {status}
      </p>
    </section>
  );
}
