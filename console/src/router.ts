// The console's pages live under /console/ (the control plane answers every such path with index.html); the
// page is chosen from location.pathname and changed with the History API. No secret ever goes into a URL: the
// one-time tokens that mails carry travel in the fragment, which the page reads and then removes.

export const CONSOLE_BASE = '/console';

/** Pages anyone may open (signed out). */
export const PUBLIC_PAGES = ['login', 'signup', 'confirm', 'reset'] as const;
/** Pages behind the session, in the order of the navigation. */
export const SIGNED_IN_PAGES = ['overview', 'services', 'routes', 'consumers', 'keys', 'history', 'gateways', 'logs', 'certificates'] as const;

export type PublicPageName = (typeof PUBLIC_PAGES)[number];
export type SignedInPageName = (typeof SIGNED_IN_PAGES)[number];
export type PageName = PublicPageName | SignedInPageName;

export const HOME_PAGE: SignedInPageName = 'overview';

export function isPublicPage(page: PageName): page is PublicPageName {
  return (PUBLIC_PAGES as readonly string[]).includes(page);
}

/** The page a path shows; anything unknown is the home page (the login page when signed out). */
export function pageOfPath(pathname: string): PageName {
  const name = pathname.startsWith(`${CONSOLE_BASE}/`) ? pathname.slice(CONSOLE_BASE.length + 1).replace(/\/+$/, '') : '';
  return ([...PUBLIC_PAGES, ...SIGNED_IN_PAGES] as readonly string[]).includes(name) ? (name as PageName) : HOME_PAGE;
}

export function pathOfPage(page: PageName): string {
  return `${CONSOLE_BASE}/${page}`;
}

/**
 * The page to show for the one asked for: signed out, a page behind the session becomes the login page; signed
 * in, the login and sign-up pages become the home page (confirm and reset stay reachable: a mail link opened while
 * signed in still works).
 */
export function pageToShow(asked: PageName, signedIn: boolean): PageName {
  if (!signedIn) return isPublicPage(asked) ? asked : 'login';
  return asked === 'login' || asked === 'signup' ? HOME_PAGE : asked;
}
