import { useState } from 'preact/hooks';
import { ApiFailure } from './api.js';
import { logIn } from './session.js';
import { PageLink } from './page-link.js';
import type { PublicPageProps } from './pages.js';

export function LoginPage({ navigate, onSignedIn }: PublicPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await logIn(email, password));
    } catch (failure) {
      setError(failure instanceof ApiFailure && failure.status === 401 ? 'Wrong email or password.' : String(failure instanceof Error ? failure.message : failure));
      setBusy(false);
    }
  };

  return (
    <main id="main">
      <h1>Sign in to NovaGate</h1>
      <form class="card" onSubmit={(event) => void submit(event)} aria-describedby={error === null ? undefined : 'login-error'}>
        {error !== null && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <label for="login-email">Email</label>
        <input id="login-email" name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="public-links">
        <PageLink page="signup" navigate={navigate}>
          Create an account
        </PageLink>
        <PageLink page="reset" navigate={navigate}>
          Forgot your password?
        </PageLink>
      </p>
    </main>
  );
}
