import { useEffect, useState } from 'preact/hooks';
import { LoginPage } from './login-page.js';
import { pageOfPath, pathOfPage, type PageName } from './router.js';
import { ServicesPage } from './services-page.js';
import { currentSession, logOut, type Session } from './session.js';

type State = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'signed-out' } | { kind: 'signed-in'; session: Session };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [page, setPage] = useState<PageName>(pageOfPath(location.pathname));

  const go = (next: PageName) => {
    if (location.pathname !== pathOfPage(next)) history.pushState(null, '', pathOfPage(next));
    setPage(next);
  };

  useEffect(() => {
    const onPop = () => setPage(pageOfPath(location.pathname));
    addEventListener('popstate', onPop);
    currentSession().then(
      (session) => setState(session === null ? { kind: 'signed-out' } : { kind: 'signed-in', session }),
      (error: unknown) => setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => removeEventListener('popstate', onPop);
  }, []);

  // The page shown follows the session: signed out is always the login page, signed in never is.
  useEffect(() => {
    if (state.kind === 'signed-out' && page !== 'login') go('login');
    if (state.kind === 'signed-in' && page === 'login') go('services');
  }, [state.kind, page]);

  useEffect(() => {
    document.title = `${page === 'login' ? 'Sign in' : 'Services'} · NovaGate console`;
  }, [page]);

  if (state.kind === 'loading') return <p>Loading…</p>;
  if (state.kind === 'failed') return <p role="alert">The console could not reach the control plane: {state.message}</p>;
  if (state.kind === 'signed-out') return <LoginPage onSignedIn={(session) => setState({ kind: 'signed-in', session })} />;

  const { session } = state;
  const signOut = async () => {
    try {
      await logOut(session);
    } finally {
      setState({ kind: 'signed-out' });
    }
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">NovaGate</span>
        <nav aria-label="Console">
          <a href={pathOfPage('services')} aria-current={page === 'services' ? 'page' : undefined} onClick={(e) => (e.preventDefault(), go('services'))}>
            Services
          </a>
        </nav>
        <span class="tenant">{session.tenantName ?? `Tenant ${session.tenantId.slice(0, 8)}`}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <ServicesPage session={session} onSessionLost={() => setState({ kind: 'signed-out' })} />
    </>
  );
}
