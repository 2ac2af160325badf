// The form that creates a key (gateway or consumer): its one field, the key's name, with the API's validation error
// shown on it; other failures above the button. `onCreate` throws the API's failure.
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from './api.js';
import { errorsByField, NO_ERRORS, type ErrorsByField } from './field-errors.js';
import { failureMessage } from './use-api-data.js';

interface KeyNameFormProps {
  idPrefix: string;
  heading: string;
  hint: string;
  submitLabel: string;
  disabled?: boolean;
  onCreate: (name: string) => Promise<void>;
  onSessionLost: () => void;
  /** The name field, for the caller to focus (after a shown key is dismissed). */
  inputRef?: RefObject<HTMLInputElement | null>;
}

export function KeyNameForm(props: KeyNameFormProps) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const fieldId = `${props.idPrefix}-name`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await props.onCreate(name);
      setErrors(NO_ERRORS);
      setName('');
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status !== 401) {
        const found = errorsByField(['name'], failure.message, failure.details);
        setErrors(found);
        if (found.fields.name !== undefined) document.getElementById(fieldId)?.focus();
      } else {
        const message = failureMessage(failure, props.onSessionLost);
        setErrors(message === null ? NO_ERRORS : { fields: {}, general: [message] });
      }
    } finally {
      setBusy(false);
    }
  };

  const error = errors.fields.name;
  return (
    <form class="card key-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${props.idPrefix}-heading`}>
      <h3 id={`${props.idPrefix}-heading`}>{props.heading}</h3>
      {errors.general.length > 0 && (
        <div class="error" role="alert">
          {errors.general.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
      <label for={fieldId}>Key name</label>
      <input
        ref={props.inputRef}
        id={fieldId}
        type="text"
        value={name}
        maxLength={100}
        autocomplete="off"
        onInput={(e) => setName(e.currentTarget.value)}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={error === undefined ? `${fieldId}-hint` : `${fieldId}-error ${fieldId}-hint`}
      />
      <p id={`${fieldId}-hint`} class="hint">
        {props.hint}
      </p>
      {error !== undefined && (
        <p id={`${fieldId}-error`} class="field-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || props.disabled === true}>
        {busy ? 'Creating…' : props.submitLabel}
      </button>
    </form>
  );
}
