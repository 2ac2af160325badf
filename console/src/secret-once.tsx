// A secret the API shows exactly once (a gateway API key, a consumer key): shown in a read-only field with a copy
// button and a plain warning, kept only in the state of this component. Dismissing it drops the only copy the page
// has; it is never written to storage, the URL or the title, and is never rendered again.
import { useEffect, useState } from 'preact/hooks';

export function SecretOnce({ id, label, secret, onDismiss }: { id: string; label: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  // Another secret in the same place (a second key made while the first shows) has not been copied yet.
  useEffect(() => setCopied('no'), [secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused (permissions, insecure context): the field stays selectable by hand.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('failed');
    }
  };
  return (
    <section class="card secret-once" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{label}</h2>
      <p id={`${id}-warning`} class="warning" role="alert">
        Copy it now: this is the only time NovaGate shows it. Only its hash is stored; if you lose it, revoke it and create a new one.
      </p>
      <label for={id}>{label}</label>
      <input id={id} class="secret" type="text" readOnly value={secret} aria-describedby={`${id}-warning`} autocomplete="off" spellcheck={false} />
      <div class="actions">
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
      <p class="status" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'The browser refused the clipboard: the key is selected, copy it by hand.' : ''}
      </p>
    </section>
  );
}
