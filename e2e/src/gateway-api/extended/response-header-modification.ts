// HTTPRouteResponseHeaderModification: set replaces what the backend answered, add appends to it, remove drops it
// (names without case); a rule without the filter leaves the backend's headers alone.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('response-headers', [
  {
    matches: [{ path: { type: 'PathPrefix', value: '/edited' } }],
    filters: [
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [{ name: 'X-Served-Tier', value: 'edge' }],
          add: [{ name: 'X-Trail', value: 'gateway' }],
          remove: ['X-Internal-Debug'],
        },
      },
    ],
    backendRefs: [{ name: 'infra-backend-v1' }],
  },
  { matches: [{ path: { type: 'PathPrefix', value: '/untouched' } }], backendRefs: [{ name: 'infra-backend-v1' }] },
]);
const host = checkHostname('response-headers');
const backendHeaders = { 'X-Served-Tier': 'origin', 'X-Trail': 'backend', 'x-internal-debug': 'secret' };

export const responseHeaderModification: ExtendedCheck = {
  feature: 'HTTPRouteResponseHeaderModification',
  description: "ResponseHeaderModifier sets, adds and removes the backend's response headers",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    await expectResponses(context, address, [
      {
        request: { host, path: '/edited' },
        backendSetResponseHeaders: backendHeaders,
        response: { headers: { 'X-Served-Tier': 'edge', 'X-Trail': 'backend,gateway' }, absentHeaders: ['X-Internal-Debug'] },
        ...v1,
      },
      { request: { host, path: '/edited' }, response: { headers: { 'X-Served-Tier': 'edge', 'X-Trail': 'gateway' } }, ...v1 },
      { request: { host, path: '/untouched' }, backendSetResponseHeaders: backendHeaders, response: { headers: { 'X-Served-Tier': 'origin', 'X-Trail': 'backend', 'X-Internal-Debug': 'secret' } }, ...v1 },
    ]);
  },
};
