// HTTPRouteBackendTimeout: a rule's timeouts.backendRequest bounds each request to the backend, inside a longer
// timeouts.request; a backend slower than it gets the client a 504, one within it the backend's answer.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('backend-timeout', [
  { matches: [{ path: { type: 'PathPrefix', value: '/per-try' } }], timeouts: { request: '10s', backendRequest: '1s' }, backendRefs: [{ name: 'infra-backend-v2' }] },
]);
const host = checkHostname('backend-timeout');

export const backendTimeout: ExtendedCheck = {
  feature: 'HTTPRouteBackendTimeout',
  description: 'timeouts.backendRequest answers 504 when the backend takes longer, well within timeouts.request',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/per-try?delay=2s' }, response: { statusCode: 504 } },
      { request: { host, path: '/per-try?delay=100ms' }, backend: 'infra-backend-v2', namespace: INFRA_NS },
    ]);
  },
};
