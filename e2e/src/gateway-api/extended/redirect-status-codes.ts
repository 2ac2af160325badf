// HTTPRoute303RedirectStatusCode, HTTPRoute307RedirectStatusCode and HTTPRoute308RedirectStatusCode: a RequestRedirect
// with that statusCode answers with it, keeping the host and path unless told otherwise. One check per feature,
// made here from one shape, as the three features differ only in the code.
import { expectResponses } from '../expectations.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

function redirectStatusCheck(statusCode: 303 | 307 | 308): ExtendedCheck {
  const label = `redirect-${statusCode}`;
  const host = checkHostname(label);
  const route = extendedRoute(label, [
    { matches: [{ path: { type: 'PathPrefix', value: '/same-place' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode } }] },
    {
      matches: [{ path: { type: 'PathPrefix', value: '/other-host' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode, hostname: `target-${statusCode}.novagate.test` } }],
    },
  ]);
  return {
    feature: `HTTPRoute${statusCode}RedirectStatusCode`,
    description: `RequestRedirect with statusCode ${statusCode} answers ${statusCode}`,
    routes: [route],
    async run(context) {
      const address = await routesReady(context, [route]);
      await expectResponses(context, address, [
        { request: { host, path: '/same-place', method: 'POST' }, response: { statusCode }, redirectRequest: { host, path: '/same-place' } },
        { request: { host, path: '/other-host/x' }, response: { statusCode }, redirectRequest: { host: `target-${statusCode}.novagate.test`, path: '/other-host/x' } },
      ]);
    },
  };
}

export const redirect303 = redirectStatusCheck(303);
export const redirect307 = redirectStatusCheck(307);
export const redirect308 = redirectStatusCheck(308);
