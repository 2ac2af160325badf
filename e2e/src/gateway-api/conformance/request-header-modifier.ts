// HTTPRouteRequestHeaderModifier: set overwrites, add appends, remove drops, names compared without case.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const requestHeaderModifier: ConformanceTest = {
  shortName: 'HTTPRouteRequestHeaderModifier',
  description: 'An HTTPRoute has request header modifier filters applied correctly',
  manifest: 'httproute-request-header-modifier.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('request-header-modifier');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    await expectResponses(context, address, [
      {
        request: { path: '/set', headers: { 'Some-Other-Header': 'val' } },
        expectedRequest: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
        ...v1,
      },
      {
        request: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' } },
        expectedRequest: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
        ...v1,
      },
      {
        request: { path: '/add', headers: { 'Some-Other-Header': 'val' } },
        expectedRequest: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' } },
        ...v1,
      },
      {
        request: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' } },
        expectedRequest: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' } },
        ...v1,
      },
      {
        request: { path: '/remove', headers: { 'X-Header-Remove': 'val' } },
        expectedRequest: { path: '/remove', absentHeaders: ['X-Header-Remove'] },
        ...v1,
      },
      {
        request: { path: '/multiple', headers: { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val' } },
        expectedRequest: {
          path: '/multiple',
          headers: {
            'X-Header-Set-1': 'header-set-1',
            'X-Header-Set-2': 'header-set-2',
            'X-Header-Add-1': 'header-add-1',
            'X-Header-Add-2': 'add-val-2,header-add-2',
            'X-Header-Add-3': 'header-add-3',
            'Another-Header': 'another-header-val',
          },
          absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        },
        ...v1,
      },
      {
        request: { path: '/case-insensitivity', headers: { 'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val' } },
        expectedRequest: {
          path: '/case-insensitivity',
          headers: { 'X-Header-Set': 'header-set', 'X-Header-Add': 'original-val-add,header-add', 'Another-Header': 'another-header-val' },
          absentHeaders: ['x-header-remove', 'X-Header-Remove'],
        },
        ...v1,
      },
    ]);
  },
};
