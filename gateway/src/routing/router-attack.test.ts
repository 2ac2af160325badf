// Attacker tests for §10 matching: patterns that backtracking engines blow up on, long paths against many
// regexes, and header/query smuggling with repeated names. Times are printed, never asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { compileRouter, type RouteDefinition } from './router.js';
import { combinedHeader, compileConditions, queryValues } from './request-match.js';
import type { RoutePath } from './path-match.js';

const regex = (value: string): RoutePath => ({ type: 'RegularExpression', value });

test('catastrophic-backtracking patterns answer in one linear pass on re2js (no match, no hang)', (t) => {
  const patterns = ['/(a+)+$', '/(a|a)*b', '/(a|aa)+c', '/(.*a){20}x', '/([a-z]+)*[0-9]'];
  const router = compileRouter(patterns.map((pattern, i): RouteDefinition<string> => ({ target: `r${i}`, paths: [regex(pattern)], methods: [], hosts: [] })));
  const path = `/${'a'.repeat(100_000)}!`;
  const started = performance.now();
  assert.equal(router.match('GET', 'h', path), undefined);
  t.diagnostic(`${patterns.length} evil patterns against a 100,001-character path: ${(performance.now() - started).toFixed(1)} ms`);
});

test('a 10,000-character path against 1,000 RegularExpression routes: bounded work, no match', (t) => {
  // The worst case for the candidate filter: no literal segment prefix, so every regex is a candidate.
  const definitions = Array.from({ length: 1000 }, (_, i): RouteDefinition<string> => ({
    target: `r${i}`,
    paths: [regex(`/.*(x|y)+seg${i}[0-9]*`)],
    methods: [],
    hosts: [],
  }));
  const router = compileRouter(definitions);
  const path = `/${'xy/'.repeat(3333)}z`;
  assert.ok(path.length >= 10_000);
  const started = performance.now();
  assert.equal(router.match('GET', 'h', path), undefined);
  t.diagnostic(`1,000 regexes against a ${path.length}-character path: ${(performance.now() - started).toFixed(1)} ms`);
  assert.equal(router.match('GET', 'h', '/xseg999')?.target, 'r999', 'the table still answers');
});

test('regexes with a literal segment prefix are skipped without running for other segments', (t) => {
  const definitions = Array.from({ length: 1000 }, (_, i): RouteDefinition<string> => ({
    target: `r${i}`,
    paths: [regex(`/s${i}/.*(x|y)+[0-9]*`)],
    methods: [],
    hosts: [],
  }));
  const router = compileRouter(definitions);
  const path = `/s7/${'xy'.repeat(5000)}1`;
  const started = performance.now();
  assert.equal(router.match('GET', 'h', path)?.target, 'r7');
  t.diagnostic(`1,000 segment-prefixed regexes, 10,000-character path: ${(performance.now() - started).toFixed(2)} ms`);
});

test('a repeated header is compared as the joined value: a second copy cannot smuggle a request past a match', () => {
  const raw = ['X-Env', 'canary', 'user-agent', 'good-bot', 'x-env', 'prod', 'User-Agent', 'evil'];
  assert.equal(combinedHeader(raw, 'x-env'), 'canary, prod');
  assert.equal(combinedHeader(raw, 'user-agent'), 'good-bot, evil', "not only the first copy, as Node's req.headers keeps for user-agent");
  assert.equal(combinedHeader(raw, 'x-missing'), undefined);
  const test = compileConditions({ headers: [{ name: 'X-Env', value: 'canary' }] });
  assert.ok(test !== null);
  assert.equal(test({ rawHeaders: ['x-env', 'canary'], query: '' }), true);
  assert.equal(test({ rawHeaders: raw, query: '' }), false);
  assert.equal(test({ rawHeaders: ['x-env', 'prod', 'x-env', 'canary'], query: '' }), false);
  assert.equal(test({ rawHeaders: ['x-env', ' canary '], query: '' }), true, 'optional whitespace around a value is not part of it');
});

test('a repeated query parameter matches only when every copy does', () => {
  const test = compileConditions({ query: [{ name: 'env', value: 'canary' }] });
  assert.ok(test !== null);
  assert.equal(test({ rawHeaders: [], query: '?env=canary&env=canary' }), true);
  assert.equal(test({ rawHeaders: [], query: '?env=canary&env=prod' }), false);
  assert.equal(test({ rawHeaders: [], query: '?env=prod&env=canary' }), false);
  assert.equal(test({ rawHeaders: [], query: '?Env=canary' }), false, 'query names are case-sensitive');
});

test('a flood of query parameters is read up to a bound; a malformed escape is compared as written', () => {
  const flood = `?${Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join('&')}&target=1`;
  assert.deepEqual(queryValues(flood, 'target'), [], 'parameters past the 256th are not read');
  assert.deepEqual(queryValues('?a=%E0%A4%A&a=%41', 'a'), ['%E0%A4%A', 'A']);
  assert.deepEqual(queryValues('a&a=&b=2', 'a'), ['', '']);
});
