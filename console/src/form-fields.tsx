// The labelled controls the entity forms are made of: each with its hint and, when the API or the form refused
// its value, its inline error (aria-invalid, and described by both so a screen reader reads them).

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
}

function describedBy(props: FieldProps): string | undefined {
  const ids = [props.error === undefined ? null : `${props.id}-error`, props.hint === undefined ? null : `${props.id}-hint`].filter((id) => id !== null);
  return ids.length === 0 ? undefined : ids.join(' ');
}

function HintAndError(props: FieldProps) {
  return (
    <>
      {props.hint !== undefined && (
        <p id={`${props.id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {props.error !== undefined && (
        <p id={`${props.id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}

/** A one-line field: text, or an email address or password (with the autocomplete hint browsers fill it by). */
export function TextField(
  props: FieldProps & { value: string; onInput: (value: string) => void; autocomplete?: string; type?: 'text' | 'email' | 'password' },
) {
  const attributes = {
    id: props.id,
    value: props.value,
    autocomplete: props.autocomplete ?? 'off',
    spellcheck: false,
    onInput: (e: { currentTarget: HTMLInputElement }) => props.onInput(e.currentTarget.value),
    'aria-invalid': props.error === undefined ? undefined : ('true' as const),
    'aria-describedby': describedBy(props),
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {/* Preact types each input type apart (their roles differ): one branch per type keeps the checks. */}
      {props.type === 'password' ? <input type="password" {...attributes} /> : props.type === 'email' ? <input type="email" {...attributes} /> : <input type="text" {...attributes} />}
      <HintAndError {...props} />
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

/** A multi-line field: one entry per line, or (with `code`) JSON. */
export function TextAreaField(props: FieldProps & { value: string; onInput: (value: string) => void; rows?: number; code?: boolean }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        class={props.code === true ? 'code' : undefined}
        rows={props.rows ?? 3}
        value={props.value}
        spellcheck={false}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-invalid={props.error === undefined ? undefined : 'true'}
        aria-describedby={describedBy(props)}
      />
      <HintAndError {...props} />
    </div>
  );
}

/** The advanced field: the object's other fields as one JSON object. */
export function JsonField(props: FieldProps & { value: string; onInput: (value: string) => void }) {
  return <TextAreaField {...props} rows={Math.min(16, Math.max(4, props.value.split('\n').length + 1))} code />;
}

export function SelectField(props: FieldProps & { value: string; onChange: (value: string) => void; options: readonly { value: string; label: string }[] }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        aria-invalid={props.error === undefined ? undefined : 'true'}
        aria-describedby={describedBy(props)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <HintAndError {...props} />
    </div>
  );
}

/** Checkboxes for a set of values, in a fieldset whose legend is the label (the first box takes the focus). */
export function CheckboxGroup(props: FieldProps & { values: readonly string[]; options: readonly string[]; onChange: (values: string[]) => void }) {
  const toggle = (option: string, checked: boolean) =>
    props.onChange(checked ? [...props.values.filter((value) => value !== option), option] : props.values.filter((value) => value !== option));
  return (
    <fieldset id={props.id} class="field checkbox-group" aria-describedby={describedBy(props)}>
      <legend>{props.label}</legend>
      <div class="checkboxes">
        {props.options.map((option) => (
          <label key={option} class="checkbox">
            <input
              id={`${props.id}-${option}`}
              type="checkbox"
              checked={props.values.includes(option)}
              onChange={(e) => toggle(option, e.currentTarget.checked)}
              aria-invalid={props.error === undefined ? undefined : 'true'}
            />
            {option}
          </label>
        ))}
      </div>
      <HintAndError {...props} />
    </fieldset>
  );
}

export function CheckboxField(props: FieldProps & { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div class="field">
      <label class="checkbox" for={props.id}>
        <input
          id={props.id}
          type="checkbox"
          checked={props.checked}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
          aria-invalid={props.error === undefined ? undefined : 'true'}
          aria-describedby={describedBy(props)}
        />
        {props.label}
      </label>
      <HintAndError {...props} />
    </div>
  );
}

/** The badge of an object the Kubernetes operator manages: read-only here, changed through its resource. */
export function ManagedBadge({ owner }: { owner: string }) {
  return <span class="badge managed">Managed by Kubernetes: {owner}</span>;
}
