// HTTPRouteHostRewrite: URLRewrite's hostname is the Host the backend sees, in place of the client's; the path is
// untouched, and a rule without the filter keeps the client's Host.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('host-rewrite', [
  { matches: [{ path: { type: 'PathPrefix', value: '/rewritten' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'internal.backend.novagate.test' } }], backendRefs: [{ name: 'infra-backend-v2' }] },
  { matches: [{ path: { type: 'PathPrefix', value: '/as-sent' } }], backendRefs: [{ name: 'infra-backend-v2' }] },
]);
const host = checkHostname('host-rewrite');

export const hostRewrite: ExtendedCheck = {
  feature: 'HTTPRouteHostRewrite',
  description: "URLRewrite's hostname replaces the Host the backend sees",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const v2 = { backend: 'infra-backend-v2', namespace: INFRA_NS };
    await expectResponses(context, address, [
      { request: { host, path: '/rewritten/one?q=1' }, expectedRequest: { host: 'internal.backend.novagate.test', path: '/rewritten/one?q=1' }, ...v2 },
      { request: { host, path: '/as-sent' }, expectedRequest: { host, path: '/as-sent' }, ...v2 },
    ]);
  },
};
