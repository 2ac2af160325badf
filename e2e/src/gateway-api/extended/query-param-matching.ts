// HTTPRouteQueryParamMatching: a rule matches on exact query parameter values; among matching rules the one with more
// query matches wins (the spec's precedence); a request no rule matches is answered 404.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('query', [
  { matches: [{ queryParams: [{ name: 'tier', value: 'gold' }] }], backendRefs: [{ name: 'infra-backend-v1' }] },
  { matches: [{ queryParams: [{ name: 'tier', value: 'silver' }] }], backendRefs: [{ name: 'infra-backend-v2' }] },
  { matches: [{ queryParams: [{ name: 'tier', value: 'silver' }, { name: 'region', value: 'north' }] }], backendRefs: [{ name: 'infra-backend-v3' }] },
]);
const host = checkHostname('query');

export const queryParamMatching: ExtendedCheck = {
  feature: 'HTTPRouteQueryParamMatching',
  description: 'rules select backends by exact query parameter values, the rule with more query matches first',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/catalog?tier=gold' }, backend: 'infra-backend-v1', namespace: INFRA_NS },
      { request: { host, path: '/catalog?tier=silver' }, backend: 'infra-backend-v2', namespace: INFRA_NS },
      { request: { host, path: '/catalog?region=north&tier=silver' }, backend: 'infra-backend-v3', namespace: INFRA_NS },
      { request: { host, path: '/catalog?tier=silver&region=south' }, backend: 'infra-backend-v2', namespace: INFRA_NS },
      { request: { host, path: '/catalog?tier=GOLD' }, response: { statusCode: 404 } },
      { request: { host, path: '/catalog?other=gold' }, response: { statusCode: 404 } },
      { request: { host, path: '/catalog' }, response: { statusCode: 404 } },
    ]);
  },
};
