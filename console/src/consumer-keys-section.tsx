// Consumer keys (GET/POST/DELETE /tenants/:id/consumers/:consumer/keys): the keys a consumer of the tenant's APIs
// presents to its gateways. Pick a consumer, see its keys (prefixes only), generate one (shown once, held only in
// this component's state until dismissed), revoke one after a confirm step.
import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { callApi } from './api.js';
import { KeyNameForm } from './key-name-form.js';
import { RevokeButton } from './revoke-button.js';
import { SecretOnce } from './secret-once.js';
import type { Session } from './session.js';
import { timeText } from './time-text.js';
import { failureMessage, useApiData } from './use-api-data.js';

interface Consumer {
  id: string;
  username: string;
  managedBy: string | null;
}

interface ConsumerKey {
  id: string;
  prefix: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

interface GeneratedKey {
  consumer: string;
  name: string;
  key: string;
}

interface Props {
  session: Session;
  onSessionLost: () => void;
}

export function ConsumerKeysSection({ session, onSessionLost }: Props) {
  const consumers = useApiData<{ data: Consumer[] }>(`/tenants/${session.tenantId}/consumers`, onSessionLost);
  const [chosenId, setChosenId] = useState<string | null>(null);
  // The generated key lives here, not in the per-consumer list, so choosing another consumer does not drop it unseen.
  const [generated, setGenerated] = useState<GeneratedKey | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const list = consumers.data?.data ?? [];
  const chosen = list.find((consumer) => consumer.id === chosenId) ?? list[0];

  return (
    <section aria-labelledby="consumer-keys-heading">
      <h2 id="consumer-keys-heading" tabIndex={-1}>Consumer keys</h2>
      <p class="hint">The keys your API's consumers present to your gateways (key authentication).</p>
      {generated !== null && (
        <SecretOnce
          id="consumer-key-secret"
          label={`New key ${generated.name} of consumer ${generated.consumer}`}
          secret={generated.key}
          onDismiss={() => {
            setGenerated(null);
            nameRef.current?.focus();
          }}
        />
      )}
      {consumers.error !== null && (
        <p class="error" role="alert">
          Could not load the consumers: {consumers.error}
        </p>
      )}
      {consumers.data === null && consumers.error === null && <p>Loading…</p>}
      {consumers.data !== null && list.length === 0 && <p>No consumers yet: create one on the Consumers page or through the API first.</p>}
      {chosen !== undefined && (
        <>
          <label for="consumer-keys-consumer">Consumer</label>
          <select id="consumer-keys-consumer" value={chosen.id} onChange={(e) => setChosenId(e.currentTarget.value)}>
            {list.map((consumer) => (
              <option key={consumer.id} value={consumer.id}>
                {consumer.username}
                {consumer.managedBy === 'kubernetes' ? ' (managed by Kubernetes)' : ''}
              </option>
            ))}
          </select>
          <ConsumerKeyList
            key={chosen.id}
            session={session}
            consumer={chosen}
            nameRef={nameRef}
            onGenerated={(name, key) => setGenerated({ consumer: chosen.username, name, key })}
            onSessionLost={onSessionLost}
          />
        </>
      )}
    </section>
  );
}

function ConsumerKeyList(props: {
  session: Session;
  consumer: Consumer;
  nameRef: RefObject<HTMLInputElement | null>;
  onGenerated: (name: string, key: string) => void;
  onSessionLost: () => void;
}) {
  const { session, consumer, onSessionLost } = props;
  const base = `/tenants/${session.tenantId}/consumers/${consumer.id}/keys`;
  const keys = useApiData<{ data: ConsumerKey[] }>(base, onSessionLost);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const generate = async (name: string) => {
    setStatus('');
    const answer = await callApi<ConsumerKey & { key: string }>('POST', base, { body: { name }, csrfToken: session.csrfToken });
    props.onGenerated(answer.name, answer.key);
    await keys.reload();
  };
  const revoke = async (key: ConsumerKey) => {
    setError(null);
    try {
      await callApi('DELETE', `${base}/${key.id}`, { csrfToken: session.csrfToken });
      setStatus(`Key ${key.name} of consumer ${consumer.username} revoked.`);
      await keys.reload();
      // Its row (and the button that had the focus) is gone: the section's heading takes the focus.
      document.getElementById('consumer-keys-heading')?.focus();
    } catch (failure) {
      setError(failureMessage(failure, onSessionLost));
    }
  };

  const active = keys.data?.data.filter((key) => key.revokedAt === null) ?? [];
  const revoked = keys.data?.data.filter((key) => key.revokedAt !== null) ?? [];
  // The operator owns a Kubernetes-managed consumer: the API refuses key changes to it (its resource is the source).
  const readOnly = consumer.managedBy === 'kubernetes';
  return (
    <div class="consumer-keys">
      {readOnly && (
        <p>
          <span class="badge">Managed by Kubernetes</span> The keys of {consumer.username} come from its Kubernetes resource: change them there.
        </p>
      )}
      {keys.error !== null && (
        <p class="error" role="alert">
          Could not load the keys of {consumer.username}: {keys.error}
        </p>
      )}
      {keys.data === null && keys.error === null && <p>Loading…</p>}
      {keys.data !== null && active.length === 0 && <p>{consumer.username} has no active key.</p>}
      {active.length > 0 && (
        <table class="keys">
          <caption class="visually-hidden">Active keys of consumer {consumer.username}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
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
                <td>
                  {readOnly ? (
                    '—'
                  ) : (
                    <RevokeButton what={`key ${key.name}`} consequence="Requests presenting it are refused once gateways have the new config." onRevoke={() => revoke(key)} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoked.length > 0 && (
        <details class="revoked-keys">
          <summary>Revoked keys of {consumer.username} ({revoked.length})</summary>
          <ul>
            {revoked.map((key) => (
              <li key={key.id}>
                {key.name} <code>{key.prefix}…</code>, revoked {timeText(key.revokedAt)}
              </li>
            ))}
          </ul>
        </details>
      )}
      {!readOnly && (
        <KeyNameForm
          idPrefix="consumer-key"
          heading={`Generate a key for ${consumer.username}`}
          hint="What the key is for, for example the app or partner that will use it."
          submitLabel="Generate consumer key"
          inputRef={props.nameRef}
          onCreate={generate}
          onSessionLost={onSessionLost}
        />
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="status" role="status">
        {status}
      </p>
    </div>
  );
}
