// The mail link's token for a page (mail-token.ts): the one taken at start-up, or one that arrives later (the link
// opened in a tab already on this page). Kept in this component's state only.
import { useEffect, useState } from 'preact/hooks';
import { claimMailToken, MAIL_TOKEN_EVENT } from './mail-token.js';
import type { PublicPageName } from './router.js';

export function useMailToken(page: PublicPageName): [string | null, (token: string | null) => void] {
  const [token, setToken] = useState(() => claimMailToken(page));
  useEffect(() => {
    const arrived = () => {
      const claimed = claimMailToken(page);
      if (claimed !== null) setToken(claimed);
    };
    addEventListener(MAIL_TOKEN_EVENT, arrived);
    return () => removeEventListener(MAIL_TOKEN_EVENT, arrived);
  }, [page]);
  return [token, setToken];
}
