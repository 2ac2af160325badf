// Gateway API HTTPRoute matching conformance, as unit tables: upstream's manifests (testdata/gateway-api)
// translated into routes the way §11's translation does (one route per `matches` entry, a match without a path
// is PathPrefix '/', order = rule order), and upstream's requests with the backend each must reach (404 = none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { compileRouter, type RouteDefinition } from './router.js';
import type { PathMatchObject } from './path-match.js';
import type { ValueMatch } from './request-match.js';

interface HTTPRouteMatch {
  path?: PathMatchObject;
  headers?: ValueMatch[];
  queryParams?: ValueMatch[];
  method?: string;
}
interface HTTPRoute {
  spec: { hostnames?: string[]; rules: { matches?: HTTPRouteMatch[]; backendRefs: { name: string }[] }[] };
}

function routesOf(...files: string[]): RouteDefinition<string>[] {
  const definitions: RouteDefinition<string>[] = [];
  for (const file of files) {
    const text = readFileSync(new URL(`./testdata/gateway-api/${file}`, import.meta.url), 'utf8');
    for (const document of loadAll(text) as HTTPRoute[]) {
      for (const rule of document.spec.rules) {
        for (const match of rule.matches ?? [{}]) {
          definitions.push({
            target: (rule.backendRefs[0] as { name: string }).name,
            paths: [match.path ?? { type: 'PathPrefix', value: '/' }],
            methods: match.method === undefined ? [] : [match.method],
            hosts: document.spec.hostnames ?? [],
            match: { headers: match.headers, query: match.queryParams },
          });
        }
      }
    }
  }
  return definitions;
}

interface Case {
  host?: string;
  path: string;
  headers?: Record<string, string>;
  /** The backend, or undefined for a 404. */
  backend: string | undefined;
}

function check(definitions: RouteDefinition<string>[], cases: readonly Case[]): void {
  const router = compileRouter(definitions);
  for (const c of cases) {
    const q = c.path.indexOf('?');
    const path = q === -1 ? c.path : c.path.slice(0, q);
    const query = q === -1 ? '' : c.path.slice(q);
    const rawHeaders = Object.entries(c.headers ?? {}).flat();
    const hit = router.match('GET', c.host ?? 'gateway.test', path, { rawHeaders, query });
    assert.equal(hit?.target, c.backend, `${c.host ?? ''}${c.path} ${JSON.stringify(c.headers ?? {})}`);
  }
}

const v1 = 'infra-backend-v1';
const v2 = 'infra-backend-v2';
const v3 = 'infra-backend-v3';

test('HTTPRouteExactPathMatching: Exact matches only the path itself, case and trailing slash included', () => {
  check(routesOf('httproute-exact-path-matching.yaml'), [
    { path: '/one', backend: v1 },
    { path: '/two', backend: v2 },
    { path: '/', backend: undefined },
    { path: '/one/example', backend: undefined },
    { path: '/two/', backend: undefined },
    { path: '/Two', backend: undefined },
  ]);
});

test('HTTPRouteMatching: PathPrefix at segment boundaries, more header matches win at the same path rank', () => {
  check(routesOf('httproute-matching.yaml'), [
    { path: '/', backend: v1 },
    { path: '/example', backend: v1 },
    { path: '/', headers: { Version: 'one' }, backend: v1 },
    { path: '/v2', backend: v2 },
    { path: '/v2/example', backend: v2 },
    { path: '/', headers: { Version: 'two' }, backend: v2 },
    // Beyond upstream's cases: a prefix is a segment prefix; its trailing '/' belongs to it.
    { path: '/v2/', backend: v2 },
    { path: '/v2example', backend: v1 },
  ]);
});

test('HTTPRoutePathMatchOrder: Exact before PathPrefix, longer prefix before shorter', () => {
  check(routesOf('httproute-path-match-order.yaml'), [
    { path: '/match/exact/one', backend: v3 },
    { path: '/match/exact', backend: v2 },
    { path: '/match', backend: v1 },
    { path: '/match/prefix/one/any', backend: v2 },
    { path: '/match/prefix/any', backend: v1 },
    { path: '/match/any', backend: v3 },
  ]);
});

test('HTTPRouteHeaderMatching: header names ignore case, every header of a match must hold, most header matches win', () => {
  check(routesOf('httproute-header-matching.yaml'), [
    { path: '/', headers: { Version: 'one' }, backend: v1 },
    { path: '/', headers: { Version: 'two' }, backend: v2 },
    { path: '/', headers: { Version: 'two', Color: 'orange' }, backend: v1 },
    { path: '/', headers: { Version: 'two', Color: 'blue' }, backend: v2 },
    { path: '/', headers: { Color: 'orange' }, backend: undefined },
    { path: '/', headers: { 'Some-Other-Header': 'one' }, backend: undefined },
    { path: '/', headers: { Color: 'blue' }, backend: v1 },
    { path: '/', headers: { Color: 'green' }, backend: v1 },
    { path: '/', headers: { Color: 'red' }, backend: v2 },
    { path: '/', headers: { Color: 'yellow' }, backend: v2 },
    { path: '/', headers: { Color: 'purple' }, backend: undefined },
  ]);
});

test('HTTPRouteMatchingAcrossRoutes: routes for a host compete with each other by the same precedence', () => {
  check(routesOf('httproute-matching-across-routes.yaml'), [
    { host: 'example.com', path: '/', backend: v1 },
    { host: 'example.com', path: '/example', backend: v1 },
    { host: 'example.net', path: '/example', backend: v1 },
    { host: 'example.com', path: '/example', headers: { Version: 'one' }, backend: v1 },
    { host: 'example.com', path: '/v2', backend: v2 },
    { host: 'example.net', path: '/v2', backend: v1 },
    { host: 'example.com', path: '/v2/example', backend: v2 },
    { host: 'example.com', path: '/', headers: { Version: 'two' }, backend: v2 },
  ]);
});

test('HTTPRouteQueryParamMatching (cases of upstream\'s test, routes written here): names case-sensitive, values exact, most query matches win', () => {
  const route = (target: string, query: ValueMatch[]): RouteDefinition<string> => ({
    target,
    paths: [{ type: 'PathPrefix', value: '/' }],
    methods: [],
    hosts: [],
    match: { query },
  });
  check(
    [
      route(v1, [{ name: 'animal', value: 'whale' }]),
      route(v2, [{ name: 'animal', value: 'dolphin' }]),
      route(v3, [{ name: 'animal', value: 'dolphin' }, { name: 'color', value: 'blue' }]),
      route(v3, [{ name: 'ANIMAL', value: 'Whale' }]),
    ],
    [
      { path: '/?animal=whale', backend: v1 },
      { path: '/?animal=dolphin', backend: v2 },
      { path: '/?animal=dolphin&color=blue', backend: v3 },
      { path: '/?ANIMAL=Whale', backend: v3 },
      { path: '/?animal=whale&otherparam=irrelevant', backend: v1 },
      { path: '/?animal=dolphin&color=yellow', backend: v2 },
      { path: '/?color=blue', backend: undefined },
      { path: '/?animal=dog', backend: undefined },
      { path: '/?animal=whaledolphin', backend: undefined },
      { path: '/', backend: undefined },
    ],
  );
});
