// Sign-up, step one of two: POST /auth/register. The API answers 202 with the same words whether or not the email
// already has an account (it mails a link, or a note saying so), and so does this page: it never tells who has an
// account. Step two is the confirm page the mail links to.
import { useState } from 'preact/hooks';
import { callApi } from './api.js';
import { NO_ERRORS, type ErrorsByField } from './field-errors.js';
import { formErrorsOf } from './form-failure.js';
import { PageLink } from './page-link.js';
import type { PublicPageProps } from './pages.js';
import { GeneralErrors, TextField } from './form-fields.js';

const FIELDS = ['email', 'password', 'tenantName'] as const;

export function SignupPage({ navigate }: PublicPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenantName, setTenantName] = useState('');
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await callApi('POST', '/auth/register', { body: { email, password, tenantName } });
      setErrors(NO_ERRORS);
      setPassword('');
      setSentTo(email);
    } catch (failure) {
      setErrors(formErrorsOf(failure, FIELDS, 'signup'));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo !== null) {
    return (
      <main id="main" class="public-page">
        <h1>Check your mail</h1>
        <section class="card" role="status">
          <p>
            We sent a mail to <strong>{sentTo}</strong>. Open the link in it within 24 hours and press the button on the page it opens to create your
            account. If this address already has a NovaGate account, the mail says so instead.
          </p>
          <p class="hint">No mail after a few minutes? Look in the spam folder, or sign up again.</p>
        </section>
        <p class="public-links">
          <PageLink page="login" navigate={navigate}>
            Back to sign in
          </PageLink>
        </p>
      </main>
    );
  }

  return (
    <main id="main" class="public-page">
      <h1>Create a NovaGate account</h1>
      <form class="card" onSubmit={(event) => void submit(event)} noValidate>
        <GeneralErrors messages={errors.general} />
        <TextField id="signup-email" label="Email" type="email" autocomplete="email" value={email} onInput={setEmail} error={errors.fields.email} hint="We mail you a link to confirm it." />
        <TextField
          id="signup-password"
          label="Password"
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={setPassword}
          error={errors.fields.password}
          hint="At least 10 characters; a passphrase is best."
        />
        <TextField
          id="signup-tenantName"
          label="Tenant name"
          autocomplete="organization"
          value={tenantName}
          onInput={setTenantName}
          error={errors.fields.tenantName}
          hint="Your team or company, as your console shows it."
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Create account'}
        </button>
      </form>
      <p class="public-links">
        Already have an account?{' '}
        <PageLink page="login" navigate={navigate}>
          Sign in
        </PageLink>
      </p>
    </main>
  );
}
