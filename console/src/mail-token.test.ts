import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimMailToken, keepMailToken, MAIL_TOKEN_EVENT, takeFragmentToken, tokenOfFragment, watchMailTokens } from './mail-token.js';

const TOKEN = 'ab'.repeat(32);

/** A history that records the URLs it was told to put in place of the current entry. */
function recordingHistory() {
  const replaced: string[] = [];
  return { replaced, replaceState: (_state: unknown, _unused: string, url?: string | URL | null) => void replaced.push(String(url)) };
}

test('the token is read from the fragment, in any position, and an empty or missing one is none', () => {
  assert.equal(tokenOfFragment(`#token=${TOKEN}`), TOKEN);
  assert.equal(tokenOfFragment(`#x=1&token=${TOKEN}`), TOKEN);
  assert.equal(tokenOfFragment(`token=${TOKEN}`), TOKEN);
  assert.equal(tokenOfFragment('#token='), null);
  assert.equal(tokenOfFragment('#main'), null);
  assert.equal(tokenOfFragment(''), null);
});

test('taking the token replaces the history entry with the same path and query without the fragment, and names the page it came with', () => {
  const history = recordingHistory();
  const found = takeFragmentToken({ pathname: '/console/confirm', search: '?from=mail', hash: `#token=${TOKEN}` }, history);
  assert.deepEqual(found, { page: 'confirm', token: TOKEN });
  assert.deepEqual(history.replaced, ['/console/confirm?from=mail']);
  assert.ok(!history.replaced.join().includes(TOKEN));
});

test('an empty token is scrubbed all the same; a fragment without token (a skip link) is left alone', () => {
  const emptied = recordingHistory();
  assert.equal(takeFragmentToken({ pathname: '/console/reset', search: '', hash: '#token=' }, emptied), null);
  assert.deepEqual(emptied.replaced, ['/console/reset']);
  const skip = recordingHistory();
  assert.equal(takeFragmentToken({ pathname: '/console/services', search: '', hash: '#main' }, skip), null);
  assert.deepEqual(skip.replaced, []);
});

test('a kept token goes only to the page its link opened, and only once', () => {
  keepMailToken({ page: 'reset', token: TOKEN });
  assert.equal(claimMailToken('confirm'), null, 'a reset token is never offered to the confirm page');
  assert.equal(claimMailToken('reset'), TOKEN);
  assert.equal(claimMailToken('reset'), null, 'claimed once');
  keepMailToken(null);
  assert.equal(claimMailToken('confirm'), null);
});

test('a token arriving by a fragment change (a link opened on its own page) is taken, scrubbed and announced; other fragment changes are not', () => {
  const listeners: Record<string, () => void> = {};
  const announced: string[] = [];
  const history = recordingHistory();
  const where = { pathname: '/console/reset', search: '', hash: '' };
  const target = {
    location: where as unknown as Location,
    history: history as unknown as History,
    addEventListener: (type: string, listener: () => void) => void (listeners[type] = listener),
    dispatchEvent: (event: Event) => (announced.push(event.type), true),
  } as unknown as Window;
  watchMailTokens(target);
  assert.equal(claimMailToken('reset'), null, 'nothing at start-up');
  where.hash = '#main';
  listeners.hashchange?.();
  assert.deepEqual([announced, history.replaced], [[], []]);
  where.hash = `#token=${TOKEN}`;
  listeners.hashchange?.();
  assert.deepEqual(announced, [MAIL_TOKEN_EVENT]);
  assert.deepEqual(history.replaced, ['/console/reset']);
  assert.equal(claimMailToken('reset'), TOKEN);
});
