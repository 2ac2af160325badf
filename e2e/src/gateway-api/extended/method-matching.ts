// HTTPRouteMethodMatching: a rule matches on the request method, alone or with a path; a method no rule names is 404.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('method', [
  { matches: [{ method: 'POST' }], backendRefs: [{ name: 'infra-backend-v1' }] },
  { matches: [{ method: 'GET' }], backendRefs: [{ name: 'infra-backend-v2' }] },
  { matches: [{ method: 'PATCH', path: { type: 'PathPrefix', value: '/orders' } }], backendRefs: [{ name: 'infra-backend-v3' }] },
]);
const host = checkHostname('method');

export const methodMatching: ExtendedCheck = {
  feature: 'HTTPRouteMethodMatching',
  description: 'rules select backends by request method, alone or together with a path match',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/items', method: 'POST' }, expectedRequest: { method: 'POST' }, backend: 'infra-backend-v1', namespace: INFRA_NS },
      { request: { host, path: '/items', method: 'GET' }, backend: 'infra-backend-v2', namespace: INFRA_NS },
      { request: { host, path: '/orders/7', method: 'PATCH' }, expectedRequest: { method: 'PATCH' }, backend: 'infra-backend-v3', namespace: INFRA_NS },
      { request: { host, path: '/items', method: 'PATCH' }, response: { statusCode: 404 } },
      { request: { host, path: '/items', method: 'DELETE' }, response: { statusCode: 404 } },
    ]);
  },
};
