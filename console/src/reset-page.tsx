// Password reset. Opened plainly: the request form (POST /auth/password-reset), whose answer never tells whether the
// email has an account. Opened from the reset mail (`/console/reset#token=…`; main.tsx has already taken the token
// out of the URL): the new-password form (POST /auth/password-reset/confirm), then a link to sign in.
import { useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';
import { NO_ERRORS, type ErrorsByField } from './field-errors.js';
import { formErrorsOf } from './form-failure.js';
import { PageLink } from './page-link.js';
import type { PublicPageProps } from './pages.js';
import { GeneralErrors, TextField } from './form-fields.js';
import { useMailToken } from './use-mail-token.js';

export function ResetPage({ navigate }: PublicPageProps) {
  const [token, setToken] = useMailToken('reset');
  return (
    <main id="main" class="public-page">
      {token === null ? <RequestReset /> : <ChooseNewPassword key={token} token={token} navigate={navigate} askAgain={() => setToken(null)} />}
      <p class="public-links">
        <PageLink page="login" navigate={navigate}>
          Back to sign in
        </PageLink>
      </p>
    </main>
  );
}

function RequestReset() {
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await callApi('POST', '/auth/password-reset', { body: { email } });
      setErrors(NO_ERRORS);
      setSentTo(email);
    } catch (failure) {
      setErrors(formErrorsOf(failure, ['email'], 'reset'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Reset your password</h1>
      <form class="card" onSubmit={(event) => void submit(event)} noValidate>
        <p>Enter the email address of your account: we mail you a link to choose a new password.</p>
        <GeneralErrors messages={errors.general} />
        <TextField id="reset-email" label="Email" type="email" autocomplete="username" value={email} onInput={setEmail} error={errors.fields.email} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send the reset link'}
        </button>
        <p class="status" role="status">
          {sentTo === null ? '' : `If an account exists for ${sentTo}, a mail with a reset link is on its way. The link works once, within one hour.`}
        </p>
      </form>
    </>
  );
}

function ChooseNewPassword({ token, navigate, askAgain }: { token: string; navigate: PublicPageProps['navigate']; askAgain: () => void }) {
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<ErrorsByField>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [linkSpent, setLinkSpent] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await callApi('POST', '/auth/password-reset/confirm', { body: { token, password } });
      setPassword('');
      setDone(true);
    } catch (failure) {
      const spent = failure instanceof ApiFailure && failure.status === 400 && (failure.details ?? []).some((detail) => detail.path === 'token');
      setLinkSpent(spent);
      setErrors(spent ? NO_ERRORS : formErrorsOf(failure, ['password'], 'reset'));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <>
        <h1>Your password is changed</h1>
        <div class="card" role="status">
          <p>Sign in with the new password. Sessions and platform tokens from before the change no longer work.</p>
          <p>
            <PageLink page="login" navigate={navigate}>
              Sign in
            </PageLink>
          </p>
        </div>
      </>
    );
  }

  return (
    <>
      <h1>Choose a new password</h1>
      <form class="card" onSubmit={(event) => void submit(event)} noValidate>
        {linkSpent && (
          <div class="error" role="alert">
            <p>This reset link is invalid, expired or already used: the password was not changed.</p>
            <button type="button" class="secondary" onClick={askAgain}>
              Ask for a new link
            </button>
          </div>
        )}
        <GeneralErrors messages={errors.general} />
        <TextField
          id="reset-password"
          label="New password"
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={setPassword}
          error={errors.fields.password}
          hint="At least 10 characters; a passphrase is best."
        />
        <button type="submit" disabled={busy || linkSpent}>
          {busy ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </>
  );
}
