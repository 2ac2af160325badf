// The one-time token a mail link carries in its fragment (`/console/confirm#token=…`, `/console/reset#token=…`).
// main.tsx takes it before the app renders or calls the API: read, then removed from the address bar and from this
// history entry (replaceState), so it never stays in history, a bookmark or a shared URL. It is kept in memory only,
// for the page whose path it came with, and that page claims it once (a reload cannot use it again: the mail can).
// A link opened in a tab already showing its page loads no new document (only the fragment changes): the token is
// taken the same way on `hashchange`, and the page hears of it through MAIL_TOKEN_EVENT (use-mail-token.ts).
import { pageOfPath, type PageName } from './router.js';

export interface MailToken {
  /** The page the link opened: only that page may use the token. */
  page: PageName;
  token: string;
}

/** The `token` of a fragment like `#token=…`; null when there is none or it is empty. */
export function tokenOfFragment(hash: string): string | null {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return value === null || value === '' ? null : value;
}

type Where = Pick<Location, 'pathname' | 'search' | 'hash'>;
type History_ = Pick<History, 'replaceState'>;

/**
 * The token in `where`'s fragment, after replacing the current history entry with the same URL without the fragment.
 * A fragment without a `token` (a skip link's `#main`) is left alone.
 */
export function takeFragmentToken(where: Where, history: History_): MailToken | null {
  if (!new URLSearchParams(where.hash.replace(/^#/, '')).has('token')) return null;
  const token = tokenOfFragment(where.hash);
  history.replaceState(null, '', `${where.pathname}${where.search}`);
  return token === null ? null : { page: pageOfPath(where.pathname), token };
}

let taken: MailToken | null = null;

/** Keeps what takeFragmentToken found for the page to claim. */
export function keepMailToken(found: MailToken | null): void {
  taken = found;
}

/** The kept token if it came with `page`'s link, handed out once. */
export function claimMailToken(page: PageName): string | null {
  if (taken === null || taken.page !== page) return null;
  const { token } = taken;
  taken = null;
  return token;
}

/** Dispatched on the window when a token was taken after start-up. */
export const MAIL_TOKEN_EVENT = 'novagate-mail-token';

/** Takes a mail link's token now and on every fragment change; a later one is announced with MAIL_TOKEN_EVENT. */
export function watchMailTokens(target: Pick<Window, 'location' | 'history' | 'addEventListener' | 'dispatchEvent'>): void {
  keepMailToken(takeFragmentToken(target.location, target.history));
  target.addEventListener('hashchange', () => {
    const found = takeFragmentToken(target.location, target.history);
    if (found === null) return;
    keepMailToken(found);
    target.dispatchEvent(new Event(MAIL_TOKEN_EVENT));
  });
}
