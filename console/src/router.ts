// The console's pages live under /console/ (the control plane answers every such path with index.html); the
// page is chosen from location.pathname and changed with the History API. No secret ever goes into a URL.

export const CONSOLE_BASE = '/console';

export type PageName = 'login' | 'services';

/** The page a path shows; anything unknown is the services page (the login page when signed out). */
export function pageOfPath(pathname: string): PageName {
  return pathname === `${CONSOLE_BASE}/login` ? 'login' : 'services';
}

export function pathOfPage(page: PageName): string {
  return `${CONSOLE_BASE}/${page}`;
}
