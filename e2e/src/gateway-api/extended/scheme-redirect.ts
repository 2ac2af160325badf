// HTTPRouteSchemeRedirect: RequestRedirect's scheme goes into the Location; with no port given, https gets its
// default port (left out), and a port given as well is kept.
import { expectResponses } from '../expectations.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('scheme-redirect', [
  { matches: [{ path: { type: 'PathPrefix', value: '/secure' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/secure-port' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 8443, statusCode: 301 } }],
  },
]);
const host = checkHostname('scheme-redirect');

export const schemeRedirect: ExtendedCheck = {
  feature: 'HTTPRouteSchemeRedirect',
  description: "RequestRedirect's scheme is the Location's scheme, with the scheme's default port unless one is given",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/secure/login' }, response: { statusCode: 302 }, redirectRequest: { scheme: 'https', host, path: '/secure/login' } },
      { request: { host, path: '/secure-port' }, response: { statusCode: 301 }, redirectRequest: { scheme: 'https', host, port: '8443', path: '/secure-port' } },
    ]);
  },
};
