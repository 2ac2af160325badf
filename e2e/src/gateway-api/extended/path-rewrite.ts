// HTTPRoutePathRewrite: URLRewrite's path replaces the whole path (ReplaceFullPath) or the matched prefix
// (ReplacePrefixMatch, `/` leaving the rest) before the request reaches the backend; the query string stays.
import { expectResponses } from '../expectations.js';
import { INFRA_NS } from '../conformance-test.js';
import { routesReady } from './accepted.js';
import type { ExtendedCheck } from './extended-check.js';
import { checkHostname, extendedRoute } from './routes.js';

const route = extendedRoute('path-rewrite', [
  {
    matches: [{ path: { type: 'PathPrefix', value: '/public/api' } }],
    filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/internal' } } }],
    backendRefs: [{ name: 'infra-backend-v3' }],
  },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/strip' } }],
    filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
    backendRefs: [{ name: 'infra-backend-v3' }],
  },
  {
    matches: [{ path: { type: 'PathPrefix', value: '/anything' } }],
    filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/fixed/target' } } }],
    backendRefs: [{ name: 'infra-backend-v3' }],
  },
]);
const host = checkHostname('path-rewrite');

export const pathRewrite: ExtendedCheck = {
  feature: 'HTTPRoutePathRewrite',
  description: "URLRewrite's path replaces the full path or the matched prefix before the backend sees it",
  routes: [route],
  async run(context) {
    const address = await routesReady(context, [route]);
    const v3 = { backend: 'infra-backend-v3', namespace: INFRA_NS };
    await expectResponses(context, address, [
      { request: { host, path: '/public/api/users?page=2' }, expectedRequest: { path: '/internal/users?page=2' }, ...v3 },
      { request: { host, path: '/public/api' }, expectedRequest: { path: '/internal' }, ...v3 },
      { request: { host, path: '/strip/left/over' }, expectedRequest: { path: '/left/over' }, ...v3 },
      { request: { host, path: '/anything/at/all?x=y' }, expectedRequest: { path: '/fixed/target?x=y' }, ...v3 },
    ]);
  },
};
