import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken } from './credentials.js';

test('a Bearer credential is read in any case of the scheme, trimmed, and refused when absent or empty', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer gw_key', 'gw_key'],
    ['BEARER   spaced  ', 'spaced'],
    ['Bearer x', 'x'],
    [undefined, undefined],
    ['', undefined],
    ['Bearer ', undefined],
    ['Bearer     ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearerabc.def', undefined],
    ['Token abc', undefined],
  ];
  for (const [header, token] of cases) assert.equal(bearerToken(header), token, String(header));
});
