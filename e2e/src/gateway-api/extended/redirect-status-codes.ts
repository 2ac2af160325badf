// HTTPRoute303RedirectStatusCode, HTTPRoute307RedirectStatusCode and HTTPRoute308RedirectStatusCode: a RequestRedirect
// with that statusCode answers with it, keeping the host (or the path) unless told otherwise, for any method. One
// check per feature, made here from one shape, as the three features differ only in the code. For 303 also the
// Post/Redirect/Get pattern: a POST-only rule sending the client to the same URL, which it then GETs.
import { expectResponses } from '../expectations.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

function redirectStatusCheck(statusCode: 303 | 307 | 308): ExtendedCheck {
  const label = `redirect-${statusCode}`;
  const host = checkHostname(label);
  const route = extendedRoute(label, [
    {
      matches: [{ path: { type: 'PathPrefix', value: '/old-path' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new-path' } } }],
    },
    {
      matches: [{ path: { type: 'PathPrefix', value: '/other-host' } }],
      filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode, hostname: `target-${statusCode}.novagate.test` } }],
    },
    ...(statusCode === 303 ? [{ matches: [{ method: 'POST' as const, path: { type: 'Exact' as const, value: '/form' } }], filters: [{ type: 'RequestRedirect' as const, requestRedirect: { statusCode } }] }] : []),
  ]);
  return {
    feature: `HTTPRoute${statusCode}RedirectStatusCode`,
    description: `RequestRedirect with statusCode ${statusCode} answers ${statusCode}`,
    routes: [route],
    async run(context) {
      const address = await routesReady(context, [route]);
      await expectResponses(context, address, [
        { request: { host, path: '/old-path/item', method: 'POST' }, response: { statusCode }, redirectRequest: { host, path: '/new-path/item' } },
        { request: { host, path: '/old-path', method: 'PUT' }, response: { statusCode }, redirectRequest: { host, path: '/new-path' } },
        { request: { host, path: '/other-host/x' }, response: { statusCode }, redirectRequest: { host: `target-${statusCode}.novagate.test`, path: '/other-host/x' } },
        ...(statusCode === 303 ? [{ request: { host, path: '/form', method: 'POST' }, response: { statusCode }, redirectRequest: { host, path: '/form' } }] : []),
      ]);
    },
  };
}

export const redirect303 = redirectStatusCheck(303);
export const redirect307 = redirectStatusCheck(307);
export const redirect308 = redirectStatusCheck(308);
