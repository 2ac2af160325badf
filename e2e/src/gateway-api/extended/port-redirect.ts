// HTTPRoutePortRedirect: RequestRedirect's port goes into the Location; without a scheme change the scheme stays
// http, and a redirect to the scheme's own port leaves the port out (the spec: omit 80 for http, 443 for https).
// (A redirect to the very URL asked for is NovaGate's 508 redirect_loop, so each case changes something else too.)
import { expectResponses } from '../expectations.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('port-redirect', [
  { matches: [{ path: { type: 'PathPrefix', value: '/to-8083' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { port: 8083 } }] },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/to-80' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { port: 80, path: { type: 'ReplaceFullPath', replaceFullPath: '/landing' } } }],
  },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/to-other-host' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'elsewhere.novagate.test', port: 9090 } }],
  },
]);
const host = checkHostname('port-redirect');

export const portRedirect: ExtendedCheck = {
  feature: 'HTTPRoutePortRedirect',
  description: "RequestRedirect's port is the Location's port, left out when it is the scheme's default",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/to-8083/page' }, response: { statusCode: 302 }, redirectRequest: { host, port: '8083', path: '/to-8083/page' } },
      { request: { host, path: '/to-80' }, response: { statusCode: 302 }, redirectRequest: { host, path: '/landing' } },
      { request: { host, path: '/to-other-host' }, response: { statusCode: 302 }, redirectRequest: { host: 'elsewhere.novagate.test', port: '9090', path: '/to-other-host' } },
    ]);
  },
};
