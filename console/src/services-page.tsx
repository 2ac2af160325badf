import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';
import { errorsByField, type ErrorsByField } from './field-errors.js';
import type { SignedInPageProps } from './pages.js';

interface Service {
  id: string;
  name: string;
  url?: string;
  targets?: { url: string }[];
  managedBy: string | null;
}

const FIELDS = ['name', 'url'] as const;
const NO_ERRORS: ErrorsByField = { fields: {}, general: [] };

export function ServicesPage({ session, onSessionLost }: SignedInPageProps) {
  const [services, setServices] = useState<Service[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const base = `/tenants/${session.tenantId}/services`;

  const load = async () => {
    try {
      setServices((await callApi<{ data: Service[] }>('GET', base)).data);
      setLoadError(null);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 401) return onSessionLost();
      setLoadError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => void load(), [session.tenantId]);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setStatus('');
    try {
      const created = await callApi<Service>('POST', base, { body: { name, url }, csrfToken: session.csrfToken });
      setErrors(NO_ERRORS);
      setName('');
      setUrl('');
      setStatus(`Service ${created.name} created.`);
      await load();
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 401) return onSessionLost();
      const found = failure instanceof ApiFailure ? errorsByField(FIELDS, failure.message, failure.details) : { fields: {}, general: [String(failure)] };
      setErrors(found);
      // Focus the first field in error so keyboard and screen-reader users land on it.
      const first = FIELDS.find((field) => found.fields[field] !== undefined);
      if (first !== undefined) document.getElementById(`service-${first}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main">
      <h1>Services</h1>
      <section aria-labelledby="services-list-heading">
        <h2 id="services-list-heading">Your services</h2>
        {loadError !== null && (
          <p class="error" role="alert">
            Could not load the services: {loadError}
          </p>
        )}
        {services === null && loadError === null && <p>Loading…</p>}
        {services !== null && services.length === 0 && <p>No services yet.</p>}
        {services !== null && services.length > 0 && (
          <table>
            <caption class="visually-hidden">Services and their upstreams</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Upstream</th>
                <th scope="col">Managed by</th>
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={service.id}>
                  <td>{service.name}</td>
                  <td>{service.url ?? (service.targets ?? []).map((target) => target.url).join(', ')}</td>
                  <td>{service.managedBy === null ? 'API' : <span class="badge">{service.managedBy}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="service-create-heading">
        <h2 id="service-create-heading">Create a service</h2>
        <form class="card" onSubmit={(event) => void create(event)} noValidate>
          {errors.general.length > 0 && (
            <div class="error" role="alert">
              {errors.general.map((message) => (
                <p key={message}>{message}</p>
              ))}
            </div>
          )}
          <Field id="service-name" label="Name" value={name} onInput={setName} error={errors.fields.name} hint="Letters, digits, dots, dashes" />
          <Field id="service-url" label="Upstream URL" value={url} onInput={setUrl} error={errors.fields.url} hint="For example http://orders.internal:8080" />
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create service'}
          </button>
          <p role="status" class="status">
            {status}
          </p>
        </form>
      </section>
    </main>
  );
}

function Field(props: { id: string; label: string; value: string; onInput: (value: string) => void; error: string | undefined; hint: string }) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error === undefined ? undefined : 'true'}
        aria-describedby={props.error === undefined ? hintId : `${errorId} ${hintId}`}
      />
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
