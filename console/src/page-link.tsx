// A link to another console page: a real href (open in a new tab, copy the address) that, clicked plainly or with
// Enter, changes the page in place through the app's navigate.
import type { ComponentChildren } from 'preact';
import { pathOfPage, type PageName } from './router.js';

export function PageLink({ page, navigate, children }: { page: PageName; navigate: (page: PageName) => void; children: ComponentChildren }) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(page);
  };
  return (
    <a href={pathOfPage(page)} onClick={onClick}>
      {children}
    </a>
  );
}
