// The page every entity kind (services, routes, consumers) shares: the list with edit and delete per row, one form
// that creates or edits, the API's validation errors inline on the fields their paths name, a confirmation before a
// delete, and objects the Kubernetes operator manages shown read-only with a badge naming their resource. A kind
// brings its columns, its fields and the mapping between its form and the API object.
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, callApi, callApiTagged } from './api.js';
import type { EntityItem, FormResult } from './entity-form.js';
import { NO_ERRORS, routeErrors, type ErrorsByField, type FieldRouting } from './field-errors.js';
import { ManagedBadge } from './form-fields.js';
import { managedOwner, type EntityKindName } from './managed-by.js';
import type { SignedInPageProps } from './pages.js';
import type { Session } from './session.js';
import { failureMessage, useApiData } from './use-api-data.js';

export interface Column<Item> {
  header: string;
  cell: (item: Item) => ComponentChildren;
}

export interface FieldsProps<Form> {
  form: Form;
  update: (patch: Partial<Form>) => void;
  /** Each field's inline error, by field name. */
  errors: Readonly<Record<string, string>>;
  /** The element id of a field (`route-paths`). */
  idOf: (field: string) => string;
  session: Session;
  onSessionLost: () => void;
}

export interface EntityPageSpec<Item extends EntityItem, Form> {
  kind: EntityKindName;
  /** The API's collection (`/tenants/:id/<plural>`). */
  plural: string;
  title: string;
  nameOf: (item: Item) => string;
  columns: readonly Column<Item>[];
  emptyForm: Form;
  formOf: (item: Item) => Form;
  bodyOf: (form: Form) => FormResult;
  errorRouting: (sent: Readonly<Record<string, unknown>>, advancedKeys: readonly string[]) => FieldRouting;
  /** The form's fields in the order they show: the first one in error takes the focus. */
  fieldOrder: readonly string[];
  Fields: ComponentType<FieldsProps<Form>>;
  /** The body of a PUT from the form's and the object as read when the edit began (the PUT is conditional on it). */
  beforeUpdate?: (body: Record<string, unknown>, stored: Item) => Record<string, unknown>;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function EntityPage<Item extends EntityItem, Form>({ spec, session, onSessionLost }: SignedInPageProps & { spec: EntityPageSpec<Item, Form> }) {
  const base = `/tenants/${session.tenantId}/${spec.plural}`;
  const list = useApiData<{ data: Item[] }>(base, onSessionLost);
  // The object being edited as read when the edit began, and its ETag: the save is conditional on it (If-Match),
  // so a change made meanwhile (another admin, a key added or revoked) is never overwritten.
  const [editing, setEditing] = useState<{ item: Item; etag: string | null } | null>(null);
  const [form, setForm] = useState<Form>(spec.emptyForm);
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<Item | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [focusTarget, setFocusTarget] = useState<{ id: string } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const idOf = (field: string) => `${spec.kind}-${field}`;
  const singular = spec.kind;

  // Focus moves after the render that shows what it is about (an error, the form in edit mode, the list).
  useEffect(() => {
    if (focusTarget === null) return;
    const element = document.getElementById(focusTarget.id);
    const focusable = element instanceof HTMLFieldSetElement ? element.querySelector('input') : element;
    focusable?.focus();
  }, [focusTarget]);

  useEffect(() => {
    if (deleting !== null && dialog.current !== null && !dialog.current.open) dialog.current.showModal();
  }, [deleting]);

  const showErrors = (found: ErrorsByField) => {
    setErrors(found);
    const first = spec.fieldOrder.find((field) => found.fields[field] !== undefined);
    setFocusTarget({ id: first === undefined ? `${singular}-form-errors` : idOf(first) });
  };

  // Edit on A then quickly on B opens B: an answer for an edit asked for before the newest one is dropped.
  const editRequest = useRef(0);
  const startEdit = async (listed: Item) => {
    setStatus('');
    const request = ++editRequest.current;
    try {
      const { body: item, etag } = await callApiTagged<Item>('GET', `${base}/${listed.id}`);
      if (request !== editRequest.current) return;
      setEditing({ item, etag });
      setForm(spec.formOf(item));
      setErrors(NO_ERRORS);
      setFocusTarget({ id: idOf(spec.fieldOrder[0]!) });
    } catch (failure) {
      if (request !== editRequest.current) return;
      const message = failureMessage(failure, onSessionLost);
      if (message !== null) showErrors({ fields: {}, general: [`${capitalized(singular)} ${spec.nameOf(listed)} could not be opened: ${message}`] });
    }
  };

  const stopEdit = () => {
    editRequest.current++;
    const was = editing;
    setEditing(null);
    setForm(spec.emptyForm);
    setErrors(NO_ERRORS);
    if (was !== null) setFocusTarget({ id: `${singular}-edit-${was.item.id}` });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setStatus('');
    const read = spec.bodyOf(form);
    // What the form cannot read (a JSON syntax error) is refused on its field without asking the API.
    if (!read.ok) return showErrors({ fields: read.errors, general: [] });
    setBusy(true);
    let sent = read.body;
    try {
      let done: string;
      if (editing === null) {
        const created = await callApi<Item>('POST', base, { body: sent, csrfToken: session.csrfToken });
        done = `${capitalized(singular)} ${spec.nameOf(created)} created.`;
        setForm(spec.emptyForm);
      } else {
        if (spec.beforeUpdate !== undefined) sent = spec.beforeUpdate(sent, editing.item);
        const ifMatch = editing.etag ?? undefined;
        const saved = await callApi<Item>('PUT', `${base}/${editing.item.id}`, { body: sent, csrfToken: session.csrfToken, ifMatch });
        done = `${capitalized(singular)} ${spec.nameOf(saved)} saved.`;
        setEditing(null);
        setForm(spec.emptyForm);
      }
      setErrors(NO_ERRORS);
      // The status line speaks once the list shows what it says.
      await list.reload();
      setStatus(done);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 412) {
        showErrors({
          fields: {},
          general: [`This ${singular} changed since you opened it (someone saved it, or a key was added or revoked). Cancel, open it again to see the changes, then reapply yours.`],
        });
      } else if (failure instanceof ApiFailure && failure.status !== 401) {
        showErrors(routeErrors(spec.errorRouting(sent, read.advancedKeys), failure.message, failure.details));
      } else {
        const message = failureMessage(failure, onSessionLost);
        if (message !== null) showErrors({ fields: {}, general: [message] });
      }
    } finally {
      setBusy(false);
    }
  };

  const confirmDelete = async () => {
    const item = deleting;
    if (item === null) return;
    setBusy(true);
    try {
      await callApi('DELETE', `${base}/${item.id}`, { csrfToken: session.csrfToken });
      setDeleteError(null);
      if (editing?.item.id === item.id) {
        setEditing(null);
        setForm(spec.emptyForm);
      }
      dialog.current?.close();
      await list.reload();
      setStatus(`${capitalized(singular)} ${spec.nameOf(item)} deleted.`);
      setFocusTarget({ id: `${singular}-list-heading` });
    } catch (failure) {
      dialog.current?.close();
      const message = failureMessage(failure, onSessionLost);
      if (message !== null) setDeleteError(`${capitalized(singular)} ${spec.nameOf(item)} was not deleted: ${message}`);
    } finally {
      setBusy(false);
    }
  };

  const items = list.data?.data ?? null;
  const { Fields } = spec;
  return (
    <main id="main" class="entities">
      <h1>{spec.title}</h1>
      <section aria-labelledby={`${singular}-list-heading`}>
        <h2 id={`${singular}-list-heading`} tabIndex={-1}>
          Your {spec.plural}
        </h2>
        {list.error !== null && (
          <p class="error" role="alert">
            Could not load the {spec.plural}: {list.error}
          </p>
        )}
        {deleteError !== null && (
          <p class="error" role="alert">
            {deleteError}
          </p>
        )}
        {items === null && list.error === null && <p>Loading…</p>}
        {items !== null && items.length === 0 && <p>No {spec.plural} yet.</p>}
        {items !== null && items.length > 0 && (
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">{capitalized(spec.plural)}</caption>
              <thead>
                <tr>
                  {spec.columns.map((column) => (
                    <th key={column.header} scope="col">
                      {column.header}
                    </th>
                  ))}
                  <th scope="col">Managed by</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => {
                  const owner = managedOwner(spec.kind, spec.nameOf(item), item.managedBy);
                  const name = spec.nameOf(item);
                  return (
                    <tr key={item.id} class={editing?.item.id === item.id ? 'editing' : undefined}>
                      {spec.columns.map((column) => (
                        <td key={column.header}>{column.cell(item)}</td>
                      ))}
                      <td>{owner === null ? 'API' : <ManagedBadge owner={owner} />}</td>
                      <td class="row-actions">
                        {owner === null ? (
                          <>
                            <button type="button" class="secondary" id={`${singular}-edit-${item.id}`} aria-label={`Edit ${singular} ${name}`} onClick={() => void startEdit(item)}>
                              Edit
                            </button>
                            <button type="button" class="danger" id={`${singular}-delete-${item.id}`} aria-label={`Delete ${singular} ${name}`} onClick={() => setDeleting(item)}>
                              Delete
                            </button>
                          </>
                        ) : (
                          <span class="read-only">Read-only: change its resource in Kubernetes</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby={`${singular}-form-heading`}>
        <h2 id={`${singular}-form-heading`}>{editing === null ? `Create a ${singular}` : `Edit ${singular} ${spec.nameOf(editing.item)}`}</h2>
        <form class="card entity-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${singular}-form-heading`}>
          <div id={`${singular}-form-errors`} tabIndex={-1}>
            {errors.general.length > 0 && (
              <div class="error" role="alert">
                {errors.general.map((message) => (
                  <p key={message}>{message}</p>
                ))}
              </div>
            )}
          </div>
          <Fields
            form={form}
            update={(patch) => setForm((current) => ({ ...current, ...patch }))}
            errors={errors.fields}
            idOf={idOf}
            session={session}
            onSessionLost={onSessionLost}
          />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {editing === null ? `Create ${singular}` : `Save ${singular}`}
            </button>
            {editing !== null && (
              <button type="button" class="secondary" onClick={stopEdit}>
                Cancel editing
              </button>
            )}
          </div>
          <p role="status" class="status">
            {status}
          </p>
        </form>
      </section>
      <dialog ref={dialog} class="confirm" aria-labelledby={`${singular}-delete-heading`} onClose={() => setDeleting(null)}>
        {deleting !== null && (
          <>
            <h2 id={`${singular}-delete-heading`}>
              Delete {singular} {spec.nameOf(deleting)}?
            </h2>
            <p>The gateways stop using it with the next config version. This cannot be undone (the config history keeps the old version).</p>
            <div class="actions">
              <button type="button" class="danger" disabled={busy} onClick={() => void confirmDelete()}>
                Delete
              </button>
              <button type="button" class="secondary" autofocus onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            </div>
          </>
        )}
      </dialog>
    </main>
  );
}
