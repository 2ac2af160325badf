import { useEffect, useState } from 'preact/hooks';
import { PUBLIC_PAGE_ENTRIES, SIGNED_IN_PAGE_ENTRIES } from './pages.js';
import { isPublicPage, pageOfPath, pageToShow, pathOfPage, SIGNED_IN_PAGES, type PageName } from './router.js';
import { currentSession, logOut, type Session } from './session.js';

type SessionState = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'signed-out' } | { kind: 'signed-in'; session: Session };

export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [asked, setAsked] = useState<PageName>(pageOfPath(location.pathname));

  useEffect(() => {
    const onPop = () => setAsked(pageOfPath(location.pathname));
    addEventListener('popstate', onPop);
    currentSession().then(
      (session) => setState(session === null ? { kind: 'signed-out' } : { kind: 'signed-in', session }),
      (error: unknown) => setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => removeEventListener('popstate', onPop);
  }, []);

  const signedIn = state.kind === 'signed-in';
  const page = pageToShow(asked, signedIn);
  // The address bar follows the page shown before the browser paints it (a redirect to the login page is a replace,
  // so Back does not lead to a page that would redirect again).
  if (state.kind !== 'loading' && state.kind !== 'failed' && location.pathname !== pathOfPage(page)) {
    history.replaceState(null, '', pathOfPage(page));
  }
  const title = isPublicPage(page) ? PUBLIC_PAGE_ENTRIES[page].title : SIGNED_IN_PAGE_ENTRIES[page].title;
  useEffect(() => {
    document.title = `${title} · NovaGate console`;
  }, [title]);

  const navigate = (next: PageName) => {
    if (location.pathname !== pathOfPage(next)) history.pushState(null, '', pathOfPage(next));
    setAsked(next);
  };
  const signedOut = () => setState({ kind: 'signed-out' });

  if (state.kind === 'loading') return <p>Loading…</p>;
  if (state.kind === 'failed') return <p role="alert">The console could not reach the control plane: {state.message}</p>;
  if (state.kind === 'signed-out' || isPublicPage(page)) {
    const Page = PUBLIC_PAGE_ENTRIES[isPublicPage(page) ? page : 'login'].component;
    return <Page navigate={navigate} onSignedIn={(session) => setState({ kind: 'signed-in', session })} />;
  }

  const { session } = state;
  const signOut = async () => {
    try {
      await logOut(session);
    } finally {
      signedOut();
    }
  };
  const Page = SIGNED_IN_PAGE_ENTRIES[page].component;
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">NovaGate</span>
        <nav aria-label="Console">
          {SIGNED_IN_PAGES.map((name) => (
            <a
              key={name}
              href={pathOfPage(name)}
              aria-current={page === name ? 'page' : undefined}
              onClick={(e) => (e.preventDefault(), navigate(name))}
            >
              {SIGNED_IN_PAGE_ENTRIES[name].navLabel}
            </a>
          ))}
        </nav>
        <span class="tenant">{session.tenantName ?? `Tenant ${session.tenantId.slice(0, 8)}`}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <Page key={page} session={session} navigate={navigate} onSessionLost={signedOut} />
    </>
  );
}
