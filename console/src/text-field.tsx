// A labelled text input with its hint and the API's error for it (field-errors.ts): aria-invalid and
// aria-describedby point assistive technology at the error, which shows under the field.
export interface TextFieldProps {
  id: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete?: string;
  value: string;
  onInput: (value: string) => void;
  error: string | undefined;
  hint?: string;
}

export function TextField(props: TextFieldProps) {
  const errorId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  const describedBy = [props.error === undefined ? null : errorId, props.hint === undefined ? null : hintId].filter((id) => id !== null).join(' ');
  const attributes = {
    id: props.id,
    autocomplete: props.autocomplete,
    value: props.value,
    onInput: (e: { currentTarget: HTMLInputElement }) => props.onInput(e.currentTarget.value),
    'aria-invalid': props.error === undefined ? undefined : ('true' as const),
    'aria-describedby': describedBy === '' ? undefined : describedBy,
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {/* Preact types each input type apart (their roles differ): one branch per type keeps the checks. */}
      {props.type === 'password' ? <input type="password" {...attributes} /> : props.type === 'email' ? <input type="email" {...attributes} /> : <input type="text" {...attributes} />}
      {props.hint !== undefined && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
      {props.error !== undefined && (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** Errors the form shows above its fields (those about no field it has). */
export function GeneralErrors({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div class="error" role="alert">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
