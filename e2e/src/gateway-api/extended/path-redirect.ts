// HTTPRoutePathRedirect: RequestRedirect's path replaces the whole path (ReplaceFullPath) or the matched prefix
// (ReplacePrefixMatch, on segment boundaries).
import { expectResponses } from '../expectations.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('path-redirect', [
  {
    matches: [{ path: { type: 'PathPrefix', value: '/moved-page' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/new-home' } } }],
  },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/v1/shop' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2/store' } } }],
  },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/drop-prefix' } }],
    filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
  },
]);
const host = checkHostname('path-redirect');

export const pathRedirect: ExtendedCheck = {
  feature: 'HTTPRoutePathRedirect',
  description: "RequestRedirect's path replaces the full path or the matched prefix",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    await expectResponses(context, address, [
      { request: { host, path: '/moved-page/deep/link' }, response: { statusCode: 302 }, redirectRequest: { host, path: '/new-home' } },
      { request: { host, path: '/v1/shop/cart' }, response: { statusCode: 302 }, redirectRequest: { host, path: '/v2/store/cart' } },
      { request: { host, path: '/v1/shop' }, response: { statusCode: 302 }, redirectRequest: { host, path: '/v2/store' } },
      { request: { host, path: '/drop-prefix/kept/rest' }, response: { statusCode: 302 }, redirectRequest: { host, path: '/kept/rest' } },
    ]);
  },
};
