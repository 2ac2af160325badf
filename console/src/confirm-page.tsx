// Sign-up, step two: the page the registration mail links to (`/console/confirm#token=…`; main.tsx has already taken
// the token out of the URL). Opening it spends nothing, since mail scanners prefetch links: only the button's POST
// creates the tenant, and signs this browser in (`session: true`: the session cookie and its CSRF token, no platform
// token). The gateway API key is shown once with SecretOnce; "I have stored it" drops it and goes to the home page,
// replacing this history entry, so neither a reload nor Back can show it again.
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';
import { PageLink } from './page-link.js';
import type { PublicPageProps } from './pages.js';
import { HOME_PAGE, pathOfPage } from './router.js';
import { SecretOnce } from './secret-once.js';
import type { Session } from './session.js';
import { useMailToken } from './use-mail-token.js';

interface Confirmed {
  tenant: { id: string; name: string };
  gatewayApiKey: string;
  /** Absent (with sessionStarted: false) when the account was made but no session could be started. */
  csrfToken?: string;
  expiresAt?: string;
}

type State =
  | { kind: 'ready' }
  | { kind: 'busy' }
  | { kind: 'failed'; problem: 'link' | 'taken' | 'other'; message: string }
  | { kind: 'created'; tenant: Confirmed['tenant']; key: string; session: Session | null };

/** Why a confirmation failed, in words a person can act on. */
function failureOf(failure: unknown): Extract<State, { kind: 'failed' }> {
  if (failure instanceof ApiFailure && failure.status === 400 && (failure.details ?? []).some((detail) => detail.path === 'token')) {
    return { kind: 'failed', problem: 'link', message: 'This link is invalid, expired or already used: no account was created by this press.' };
  }
  if (failure instanceof ApiFailure && failure.status === 409) {
    return { kind: 'failed', problem: 'taken', message: 'An account with this email address already exists.' };
  }
  return { kind: 'failed', problem: 'other', message: `The account was not created: ${failure instanceof Error ? failure.message : String(failure)}` };
}

export function ConfirmPage({ navigate, onSignedIn }: PublicPageProps) {
  const [token] = useMailToken('confirm');
  const [state, setState] = useState<State>({ kind: 'ready' });
  // Another link opened on this page starts over, unless a key is on show (it is never taken away unasked).
  useEffect(() => setState((shown) => (shown.kind === 'created' ? shown : { kind: 'ready' })), [token]);

  const confirm = async () => {
    setState({ kind: 'busy' });
    try {
      const body = await callApi<Confirmed>('POST', '/auth/register/confirm', { body: { token, session: true } });
      const session: Session | null =
        body.csrfToken === undefined || body.expiresAt === undefined
          ? null
          : { tenantId: body.tenant.id, tenantName: body.tenant.name, csrfToken: body.csrfToken, expiresAt: body.expiresAt };
      setState({ kind: 'created', tenant: body.tenant, key: body.gatewayApiKey, session });
    } catch (failure) {
      setState(failureOf(failure));
    }
  };

  if (state.kind === 'created') {
    const stored = () => {
      // The home page takes this entry's place: Back leads to where the mail link was opened from, not here.
      const next = state.session === null ? 'login' : HOME_PAGE;
      history.replaceState(null, '', pathOfPage(next));
      if (state.session !== null) onSignedIn(state.session);
      navigate(next);
    };
    return (
      <main id="main" class="public-page">
        <h1>Your account is ready</h1>
        <p role="status">
          Tenant <strong>{state.tenant.name}</strong> was created{state.session === null ? ' (sign in once you have stored the key)' : ' and you are signed in'}. Tenant id:{' '}
          <code class="tenant-id">{state.tenant.id}</code>
        </p>
        <p>Your gateways use this key to fetch their configuration. You can create more keys, and revoke this one, in the console.</p>
        <SecretOnce id="gateway-api-key" label="Gateway API key" secret={state.key} onDismiss={stored} />
      </main>
    );
  }

  if (token === null) {
    return (
      <main id="main" class="public-page">
        <h1>Confirm your NovaGate registration</h1>
        <div class="card">
          <p role="alert">This page needs the link from your registration mail, and this one carries no token.</p>
          <p class="hint">
            The page removes the token from the address bar as soon as it opens, so a reload cannot use it: open the link in the mail again.
          </p>
        </div>
        <SignedOutLinks navigate={navigate} />
      </main>
    );
  }

  return (
    <main id="main" class="public-page">
      <h1>Confirm your NovaGate registration</h1>
      <div class="card">
        <p>Press the button to create your account. The link works once, and the page that follows shows your gateway API key only once: have a place ready to store it.</p>
        {state.kind === 'failed' && (
          <div class="error" role="alert">
            <p>{state.message}</p>
            {state.problem === 'link' && <p class="hint">If you already pressed the button, your account exists: sign in. Otherwise sign up again for a new link.</p>}
            {state.problem === 'taken' && <p class="hint">Sign in, or reset the password if you forgot it.</p>}
          </div>
        )}
        {state.kind === 'failed' && state.problem !== 'other' ? null : (
          <button type="button" disabled={state.kind === 'busy'} onClick={() => void confirm()}>
            {state.kind === 'busy' ? 'Creating…' : 'Create my account'}
          </button>
        )}
      </div>
      <SignedOutLinks navigate={navigate} />
    </main>
  );
}

function SignedOutLinks({ navigate }: Pick<PublicPageProps, 'navigate'>) {
  return (
    <p class="public-links">
      <PageLink page="login" navigate={navigate}>
        Sign in
      </PageLink>
      <PageLink page="signup" navigate={navigate}>
        Sign up
      </PageLink>
      <PageLink page="reset" navigate={navigate}>
        Forgot your password?
      </PageLink>
    </p>
  );
}
