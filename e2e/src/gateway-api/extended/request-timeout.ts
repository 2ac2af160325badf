// HTTPRouteRequestTimeout: a rule's timeouts.request bounds the whole request; a backend slower than that gets the
// client a 504 (the echo pods' `?delay=`), one within it the backend's answer.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('request-timeout', [
  { matches: [{ path: { type: 'PathPrefix', value: '/bounded' } }], timeouts: { request: '1s' }, backendRefs: [{ name: 'infra-backend-v1' }] },
  { matches: [{ path: { type: 'PathPrefix', value: '/unbounded' } }], backendRefs: [{ name: 'infra-backend-v1' }] },
]);
const host = checkHostname('request-timeout');

export const requestTimeout: ExtendedCheck = {
  feature: 'HTTPRouteRequestTimeout',
  description: 'timeouts.request answers 504 when the backend takes longer, and lets a quicker answer through',
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    await expectResponses(context, address, [
      { request: { host, path: '/bounded?delay=2s' }, response: { statusCode: 504 } },
      { request: { host, path: '/bounded?delay=100ms' }, ...v1 },
      { request: { host, path: '/unbounded?delay=1500ms' }, ...v1 },
    ]);
  },
};
