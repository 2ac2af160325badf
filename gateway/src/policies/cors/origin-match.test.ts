import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOriginMatcher } from './origin-match.js';

test('an exact origin matches only itself, ignoring case, with the same scheme and port', () => {
  const matcher = compileOriginMatcher(['https://app.example.com', 'http://localhost:3000']);
  assert.equal(matcher.admits('https://app.example.com'), true);
  assert.equal(matcher.admits('HTTPS://APP.example.COM'), true);
  assert.equal(matcher.admits('http://localhost:3000'), true);
  for (const origin of ['http://app.example.com', 'https://app.example.com:443', 'https://app.example.com/', 'http://localhost:3001', 'http://localhost', 'null', '']) {
    assert.equal(matcher.admits(origin), false, origin);
  }
});

test('a wildcard origin matches subdomains at a label boundary only', () => {
  const matcher = compileOriginMatcher(['https://*.example.com']);
  for (const origin of ['https://a.example.com', 'https://a.b.example.com', 'https://A.Example.Com']) assert.equal(matcher.admits(origin), true, origin);
  for (const origin of [
    'https://example.com',
    'https://evilexample.com',
    'https://evil.example.com.attacker.io',
    'https://evil.example.com:8443',
    'http://a.example.com',
    'https://a.example.com@attacker.io',
    'https://attacker.io/.example.com',
    'https://attacker.io?.example.com',
    'https://a.example.com\r\nx-evil: 1',
  ]) {
    assert.equal(matcher.admits(origin), false, origin);
  }
});

test("'*' matches every well-formed origin but not 'null', which matches only when listed", () => {
  const any = compileOriginMatcher(['*']);
  assert.equal(any.any, true);
  assert.equal(any.admits('https://whatever.test:8080'), true);
  assert.equal(any.admits('null'), false);
  assert.equal(any.admits('javascript:alert(1)'), false);
  assert.equal(compileOriginMatcher(['null']).admits('null'), true);
  assert.equal(compileOriginMatcher(['null']).admits('NULL'), true);
});

test('attacker: a huge Origin is refused without work', () => {
  const matcher = compileOriginMatcher(['https://*.example.com']);
  assert.equal(matcher.admits(`https://${'a.'.repeat(100_000)}example.com`), false);
});
